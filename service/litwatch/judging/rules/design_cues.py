"""The words by which an abstract says what kind of study it is, for ``design``.

Each pattern is paired in ``design`` with cheap substring hints, so most texts never reach
the regex. The rules, as a reader of an abstract would apply them:

* a notice (erratum, correction, retraction) reports no study of its own;
* a registry record or protocol lists criteria, arms and planned numbers, and no results;
* a guideline says it gives recommendations or a consensus;
* a trial emulated from registry data, or groups matched by propensity score, is
  observational however often it says "randomised";
* a prospective interventional study without randomisation (open-label, single-arm, pilot,
  phase 1/2) is a non-randomised trial; the follow-up of a trial's patients is a cohort;
* a narrative review discusses the field and gives no patients of its own.
"""

from __future__ import annotations

from litwatch.judging.rules.patterns import pattern, words

NOTICE_TITLE = words(
    r"erratum|corrigendum|correction to|correction:|retraction|retracted|"
    r"notice of retraction|expression of concern",
    end=False,
)
PROTOCOL = words(
    r"study protocol|trial protocol|protocol for|this protocol|will be (?:randomi[sz]ed|"
    r"enrolled|recruited|allocated|assigned|evaluated|compared|included|treated|followed)|"
    r"will receive|will be the primary|will be measured|will be assessed|"
    r"we will (?:randomi[sz]e|enrol|recruit|conduct|evaluate|assess|compare)|"
    r"this (?:study|trial) will|the (?:study|trial) will|enrol?lment will|randomi[sz]ation will|"
    r"are to be (?:enrolled|randomi[sz]ed|recruited|included|treated)|rationale and design|"
    r"is to be (?:enrolled|randomi[sz]ed|recruited|included|treated)|"
    r"we (?:describe|present|report) the (?:design|rationale)|"
    r"this (?:paper|article) (?:describes|presents|reports) the (?:design|rationale)"
)
# The fields of a trial registry's record.
REGISTRY_FIELDS = words(
    r"inclusion criteria|exclusion criteria|eligibility criteria|primary outcomes?(?: measures?)?:|"
    r"secondary outcomes?(?: measures?)?:|arms?:|brief summary|participants planned|"
    r"planned (?:for )?enrol?lment|estimated enrol?lment|anticipated enrol?lment|"
    r"target enrol?lment|"
    r"recruitment (?:status|not yet|ongoing|possibly)|not yet recruiting|recruiting|status:|"
    r"study type:|condition:|conditions:|planned participants|sponsor",
    end=False,
)
RESULTS = pattern(
    r"\bp\s*(?:<|=|>|≤|≥)|statistically significant|\bsignificantly\b|\b95\s?% ci\b|"
    r"confidence interval|(?:odds|hazard) ratio"
)
GUIDELINE_TITLE = words(
    r"guidelines?|recommendations?|position (?:statement|paper)|consensus(?: statement| report|"
    r" guidance| recommendations)?|delphi|task force|best practice"
)
GUIDELINE_AIM = pattern(
    r"\b(?:(?:develop|update|revise|formulate|issue|establish|provide|offer|present)\w*|"
    r"set(?:s|ting)? out)\b[^.]{0,80}?"
    r"\b(?:recommendations|guidelines?|consensus statements?|position statement)\b"
)
EMULATED = words(
    r"emulat\w+ (?:a |the )?(?:target )?(?:randomi[sz]ed )?trial|target trial emulation|"
    r"trial emulation|propensity score|propensity-score|propensity-matched"
)
RCT = pattern(
    r"\b(?:randomi[sz]ed|randomly (?:assigned|allocated)|randomi[sz]ation)\b[^.]{0,120}?"
    r"\b(?:trial|study|assigned|allocated|placebo|to receive)\b"
    r"|\b(?:assigned|allocated) at random\b|\bplacebo-controlled\b"
    r"|(?<!non-)(?<!non)\b(?:were|was|being) randomi[sz]ed (?:\w+ ){0,2}?(?:to|into|between)\b"
    r"|\bdouble-blind(?:ed)?\b[^.]{0,40}\btrial\b"
)
NOT_RANDOMISED = words(
    r"non-?randomi[sz]ed|open-label|open label|single-arm|single arm|single-group|"
    r"uncontrolled (?:trial|study)|pilot (?:study|trial)|a pilot|"
    r"phase (?:i|ii|1|2|1b|2a|2b|ib|iia|iib|i/ii|1/2|1-2)(?: (?:clinical )?(?:study|trial))|"
    r"prospective[\w ,-]{0,40}? trial|interventional[\w ,-]{0,40}? trial|"
    r"investigator-initiated[\w ,-]{0,40}? trial"
)
REGISTERED = pattern(r"\bnct\d{6,}|\bregistered (?:with|at|in|as|under)\b|\beudract\b|\bisrctn")
OBSERVATIONAL = words(r"observational|retrospective(?:ly)?|registry|chart review|medical records")
FOLLOW_ON = words(
    r"post[- ]hoc|open-label extension|extension (?:study|phase)|follow-up (?:study|"
    r"of (?:the|patients|participants))|after (?:the|completing the|completion of the) "
    r"[\w-]+ (?:trial|study)|who (?:had )?(?:completed|participated in|were enrolled in) "
    r"(?:the|a) [\w, -]*?trial|participants of (?:the|a)|patients from (?:the|a)"
)
CASE_REPORT = words(
    r"we (?:report|describe|present) (?:a|an|the|one) (?:case|patient|\d+-year-old|"
    r"[a-z]+-year-old|woman|man|girl|boy)|case report|a (?:\d+|[a-z-]+)-year-old (?:woman|"
    r"man|female|male|girl|boy|patient)|a (?:woman|man|girl|boy) aged|this case"
)
# "we treated 3 patients": the number is read by ``design`` (1-3 make case reports).
CASE_SERIES = pattern(
    r"\bcase series\b|\b(?:we (?:report|describe|present)|(?:used|treated) \w+ to treat|"
    r"we (?:have )?treated) (\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) "
    r"(?:\w+ ){0,2}(?:cases|patients)\b|\bseries of (?:\d+ |[a-z]+ ){0,3}(?:cases|patients)\b"
)
COHORT = words(
    r"cohort|retrospective(?:ly)?|prospective(?:ly)?|registry|observational|"
    r"single-cent(?:re|er)|multicent(?:re|er)|open-label|single-arm|medical records|database|"
    r"real-world|real-life|longitudinal|follow-up study|uncontrolled"
)
META = pattern(
    r"\bmeta-?analys[ie]s\b|\bpooled (?:analysis|estimate|mean difference|data|results|"
    r"prevalence|proportion)\b|\brandom[- ]effects?\b|\bfixed[- ]effects? model\b|"
    r"\b(?:weighted|standardi[sz]ed) mean differences?\b|\bwe pooled\b|\bwere pooled\b"
)
SYSTEMATIC = pattern(
    r"\bsystematic(?:ally)? (?:review|literature review|search|searched)\b"
    r"|\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:\w+ ){0,2}(?:studies|trials|"
    r"articles|publications) (?:were |met |fulfilled )?(?:included|identified|eligible)\b"
    r"|\binclud(?:ed|es) (?:in the [\w ]{0,30} )?(?:are |were )?"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:\w+ ){0,2}(?:studies|trials)\b"
)
REVIEW = pattern(
    r"\b(?:(?:narrative|literature|this|we) review|review(?:s|ed)? (?:the|of the) "
    r"(?:literature|evidence|current|recent|role|data)|in this review|we summari[sz]e|"
    r"this article (?:reviews|summari[sz]es)|overview of|state of the art|update on|"
    r"(?:are|is) (?:\w+ )?(?:reviewed|summari[sz]ed|discussed)|we discuss)\b"
)
# More ways a review says what it does: "we highlight", "this article brings together".
REVIEW_VOICE = words(
    r"we (?:highlight|outline|give an account|look at|consider|examine) |"
    r"here,? we describe (?:how|what|the)|what is known|"
    r"this (?:article|paper|chapter|overview|update) (?:brings|covers|outlines|"
    r"discusses|describes|looks|examines|considers|focuses|highlights|provides)|"
    r"the present (?:article|paper|chapter) |"
    r"current (?:knowledge|understanding|evidence) (?:of|on|about)|recent advances",
    end=False,
)
# The study's own random allocation, as against randomised trials a review cites.
OWN_ALLOCATION = words(
    r"randomly (?:assigned|allocated)|were randomi[sz]ed\b|was randomi[sz]ed\b|"
    r"being randomi[sz]ed\b|we randomi[sz]ed|assigned at random|allocated at random|"
    r"randomi[sz]ed (?:\d:\d|in a )|this (?:[\w,-]+ ){0,6}?trial\b|our (?:[\w,-]+ ){0,6}?trial\b|"
    r"the present (?:[\w,-]+ ){0,6}?trial\b|"
    r"we (?:did|conducted|performed|carried out|undertook|designed|report|present) an? "
    r"(?:[\w,-]+ ){0,6}?(?:randomi[sz]ed|placebo-controlled|double-blind)",
    end=False,
)
# Words of experiments at the bench: several of them make a laboratory study. Words of the
# topic (pathogenesis, mechanisms, cytokines) are not among them, as reviews use them too.
EXPERIMENT = words(
    r"mice|murine|mouse|in vitro|ex vivo|cultured|fibroblasts?|cell lines?|transcriptom\w*|"
    r"gene expression|single-cell|bleomycin|flow cytometr\w*|immunohistochem\w*|rna-seq\w*|"
    r"sequencing|elisa|western blot\w*|knockout|stain\w*|biops(?:y|ies)|"
    r"serum levels?|plasma levels?|tissue levels?|we (?:measured|isolated|quantified)"
)
# Studies of costs, of practice or of opinion.
ELSEWHERE = words(
    r"cost-effective\w*|cost-utility|cost-saving|markov|budget impact|modell?ing study|"
    r"survey of (?:\w+ ){0,2}(?:physicians|rheumatologists|clinicians|experts|specialists|"
    r"pulmonologists|dermatologists|members|centres|centers)|questionnaire survey|"
    r"online survey|web-based survey|international survey|physicians' preferences"
)
# A measurement in patients set beside controls: a biomarker or imaging study.
MEASURED = words(r"levels?|expression|concentrations?|thickness|measured")
CONTROLS = words(
    r"healthy (?:controls|subjects|volunteers|individuals|donors)|"
    r"than (?:in |those of |in the )?(?:\d+ )?(?:matched )?controls|"
    r"and (?:\d+ )?(?:matched )?(?:healthy )?controls"
)
TREATED = words(r"received|treated|were given|treatment with|therapy with|initiat\w*|switched")
COHORT_WORD = words(
    r"cohort|observational|registry|longitudinal|database|multicent(?:re|er)|nationwide|"
    r"real-(?:world|life)"
)
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
