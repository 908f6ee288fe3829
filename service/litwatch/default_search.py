"""The default saved search: rituximab for systemic sclerosis, written for recall.

Two blocks joined by AND; each block ORs a MeSH heading with title/abstract words, so a record
is found before MeSH indexing reaches it (new records carry no MeSH for weeks) and after.
- The drug: the MeSH heading, the generic name, the brand names (Rituxan, MabThera), the
  biosimilars (CT-P10/Truxima, PF-05280586/Ruxience, ABP 798/Riabni, GP2013), the common
  abbreviation RTX, and the mechanism as authors write it (anti-CD20, B-cell depletion), which
  catches reports that name the class before the drug.
- The disease: the MeSH heading "Scleroderma, Systemic" (which covers the diffuse and limited
  subsets), the names and abbreviation (systemic sclerosis, scleroderma, SSc), the lung
  disease (SSc-ILD, scleroderma lung) and the cutaneous subsets.
Precision is the classifier's job: the search errs on the side of fetching too much.
"""

DEFAULT_SEARCH_NAME = "rituximab-ssc"

DEFAULT_QUERY = (
    '("Rituximab"[mh] OR rituximab[tiab] OR rituxan[tiab] OR mabthera[tiab] OR "CT-P10"[tiab] '
    'OR truxima[tiab] OR "PF-05280586"[tiab] OR ruxience[tiab] OR "ABP 798"[tiab] '
    'OR riabni[tiab] OR "GP2013"[tiab] OR RTX[tiab] OR "anti-CD20"[tiab] '
    'OR "Antigens, CD20"[mh] OR "B-cell depletion"[tiab] OR "B cell depletion"[tiab] '
    'OR "B-cell depleting"[tiab]) '
    'AND ("Scleroderma, Systemic"[mh] OR "systemic sclerosis"[tiab] OR scleroderma[tiab] '
    'OR SSc[tiab] OR "SSc-ILD"[tiab] OR "scleroderma lung"[tiab] OR "diffuse cutaneous"[tiab] '
    'OR "limited cutaneous"[tiab])'
)

DEFAULT_DESCRIPTION = "Rituximab (and biosimilars, anti-CD20) in systemic sclerosis"
