"""Bulk PubMed records on one made-up topic, for volume tests and benchmarks.

Every record mentions the invented enzyme "glorbinase" and the invented condition "velmoric
fibrosis", so ``glorbinase AND "velmoric fibrosis"`` matches them all; create dates advance
``per_day`` records a day, so a date-bisecting client has something to split.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from litwatch.fake_eutils.xmlbuild import PUB_TYPE_UI, render_set

TOPIC_QUERY = 'glorbinase AND "velmoric fibrosis"'

_LAST = "Arvel Brandt Castell Dunmore Ekwall Farrow Galen Hollis Ivers Jarrow Kessel Lund".split()
_FORE = "Ada Boris Clara Dmitri Elin Farid Greta Hugo Ines Jonas Kaori Lior".split()
_DESIGNS = [
    ("a randomized trial", ["Journal Article", "Randomized Controlled Trial"]),
    ("a prospective cohort", ["Journal Article", "Observational Study"]),
    ("a retrospective cohort", ["Journal Article"]),
    ("a case series", ["Journal Article"]),
    ("a systematic review", ["Journal Article", "Systematic Review"]),
]
_OUTCOMES = ["the velmoric index", "six-minute walk distance", "serum tarnin", "quality of life"]
_JOURNALS = [
    ("Journal of Velmoric Research", "J Velmoric Res", "2999-0001"),
    ("Annals of Imaginary Medicine", "Ann Imag Med", "2999-0002"),
    ("Fictional Clinical Reports", "Fict Clin Rep", "2999-0003"),
]


# One record, with str.format fields; the vocabulary above holds nothing XML must escape, so
# filling a template is safe and keeps 20,000 records to a fraction of a second.
_TEMPLATE = (
    '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}'
    "</PMID><DateRevised><Year>{rev.year}</Year><Month>{rev.month:02d}</Month><Day>"
    '{rev.day:02d}</Day></DateRevised><Article PubModel="Print-Electronic"><Journal>'
    '<ISSN IssnType="Electronic">{issn}</ISSN><JournalIssue CitedMedium="Internet"><Volume>'
    "{volume}</Volume><Issue>{issue}</Issue><PubDate><Year>{dp.year}</Year><Month>{month}"
    "</Month></PubDate></JournalIssue><Title>{journal}</Title><ISOAbbreviation>{iso}"
    "</ISOAbbreviation></Journal><ArticleTitle>Glorbinase in velmoric fibrosis: {design} of {n}"
    " patients (record {pmid}).</ArticleTitle><Pagination><MedlinePgn>e{page}</MedlinePgn>"
    '</Pagination><ELocationID EIdType="doi" ValidYN="Y">10.9999/synthetic.{pmid}'
    '</ELocationID><Abstract><AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">'
    "Velmoric fibrosis is an invented condition with no approved treatment; glorbinase is an "
    'invented enzyme proposed against it.</AbstractText><AbstractText Label="METHODS" '
    'NlmCategory="METHODS">We report {design} of {n} patients followed for {weeks} weeks, with '
    '{outcome} as the main outcome.</AbstractText><AbstractText Label="RESULTS" '
    'NlmCategory="RESULTS">The mean change in {outcome} was {change:.1f} units (p={p}).'
    '</AbstractText><AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">Glorbinase '
    "deserves further study in velmoric fibrosis.</AbstractText></Abstract>"
    '<AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng</Language>'
    "<PublicationTypeList>{pub_types}</PublicationTypeList></Article><MedlineJournalInfo>"
    "<Country>United States</Country><MedlineTA>{iso}</MedlineTA><ISSNLinking>{issn}"
    "</ISSNLinking></MedlineJournalInfo><MeshHeadingList><MeshHeading><DescriptorName "
    'UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading></MeshHeadingList>'
    '<KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">glorbinase</Keyword><Keyword '
    'MajorTopicYN="N">velmoric fibrosis</Keyword></KeywordList></MedlineCitation><PubmedData>'
    '<History><PubMedPubDate PubStatus="entrez"><Year>{crdt.year}</Year><Month>{crdt.month}'
    "</Month><Day>{crdt.day}</Day><Hour>0</Hour><Minute>0</Minute></PubMedPubDate>"
    '<PubMedPubDate PubStatus="pubmed"><Year>{crdt.year}</Year><Month>{crdt.month}</Month>'
    "<Day>{crdt.day}</Day><Hour>0</Hour><Minute>0</Minute></PubMedPubDate></History>"
    "<PublicationStatus>ppublish</PublicationStatus><ArticleIdList><ArticleId IdType="
    '"pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>'
)
_AUTHOR = (
    '<Author ValidYN="Y"><LastName>{last}</LastName><ForeName>{fore}</ForeName><Initials>'
    "{initial}</Initials><AffiliationInfo><Affiliation>Department {dept}, Institute of "
    "Invented Science, Nowhere.</Affiliation></AffiliationInfo></Author>"
)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def render_one(pmid: int, created: date, rng: random.Random) -> str:
    """One synthetic ``<PubmedArticle>`` with varied numbers and wording."""
    design, pub_types = rng.choice(_DESIGNS)
    journal, iso, issn = rng.choice(_JOURNALS)
    dp = created - timedelta(days=rng.randrange(60))
    authors = []
    for _ in range(rng.randint(1, 6)):
        fore = rng.choice(_FORE)
        authors.append(
            _AUTHOR.format(
                last=rng.choice(_LAST), fore=fore, initial=fore[0], dept=rng.randint(1, 40)
            )
        )
    return _TEMPLATE.format(
        pmid=pmid,
        rev=created + timedelta(days=rng.randrange(30)),
        crdt=created,
        dp=dp,
        month=_MONTHS[dp.month - 1],
        issn=issn,
        journal=journal,
        iso=iso,
        volume=created.year - 1990,
        issue=rng.randint(1, 12),
        page=pmid % 100000,
        design=design,
        n=rng.randint(8, 900),
        weeks=rng.choice((12, 24, 48, 52, 96)),
        outcome=rng.choice(_OUTCOMES),
        change=rng.uniform(-9, 9),
        p=rng.choice(("0.001", "0.01", "0.03", "0.04", "0.2", "0.45", "0.8")),
        authors="".join(authors),
        pub_types="".join(
            f'<PublicationType UI="{PUB_TYPE_UI[pt]}">{pt}</PublicationType>' for pt in pub_types
        ),
    )


def make_records(
    n: int,
    *,
    start_pmid: int = 80_000_001,
    crdt_start: date = date(2020, 1, 1),
    per_day: int = 30,
    seed: int = 0,
) -> bytes:
    """A PubmedArticleSet of ``n`` records, ``per_day`` created each day from ``crdt_start``."""
    rng = random.Random(seed)
    days = [crdt_start + timedelta(days=d) for d in range((n + per_day - 1) // per_day)]
    articles = [render_one(start_pmid + i, days[i // per_day], rng) for i in range(n)]
    return render_set(articles)


def write_records(
    directory: str | Path,
    n: int,
    *,
    per_file: int = 5_000,
    start_pmid: int = 80_000_001,
    crdt_start: date = date(2020, 1, 1),
    per_day: int = 30,
    seed: int = 0,
) -> list[Path]:
    """Write ``n`` records into files of ``per_file`` records each; return the paths."""
    if per_file % per_day:
        raise ValueError("per_file must be a multiple of per_day")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, first in enumerate(range(0, n, per_file)):
        data = make_records(
            min(per_file, n - first),
            start_pmid=start_pmid + first,
            crdt_start=crdt_start + timedelta(days=first // per_day),
            per_day=per_day,
            seed=seed + k,
        )
        path = out / f"synthetic_{k:04d}.xml"
        path.write_bytes(data)
        paths.append(path)
    return paths
