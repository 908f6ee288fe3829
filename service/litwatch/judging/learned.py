"""Learning from feedback: relevance labels re-rank the rules' relevance.

A person marks articles relevant or not. With at least 20 labels of both kinds, a logistic
regression over TF-IDF words and the rules' own outputs learns where the rules go wrong.
``cross_validate`` says whether it helps on the labels at hand; the caller uses the model
only when it does. The model is stored as JSON (vocabulary, idf, coefficients), never as a
pickle, so a stored model can be read without running code.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.rules import classify_article, rule_features
from litwatch.pubmed.markup import to_plain
from litwatch.pubmed.plain_text import article_from_text
from litwatch.records import ArticleRecord

MIN_LABELS = 20
_TOKEN = re.compile(r"[a-z0-9][a-z0-9-]+")
_FORMAT = "litwatch-relevance-v1"


@dataclass(slots=True)
class Label:
    """One piece of feedback: an article's text and whether it is relevant."""

    pmid: str
    title: str
    abstract: str
    relevant: bool
    publication_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    @classmethod
    def from_article(cls, article: ArticleRecord, relevant: bool) -> Label:
        return cls(
            pmid=article.pmid,
            title=to_plain(article.title),
            abstract=to_plain(article.abstract),
            relevant=relevant,
            publication_types=list(article.publication_types),
            mesh=[m.descriptor for m in article.mesh],
            keywords=list(article.keywords),
        )

    def to_article(self) -> ArticleRecord:
        return article_from_text(
            self.pmid,
            self.title,
            self.abstract,
            publication_types=self.publication_types,
            mesh=self.mesh,
            keywords=self.keywords,
        )


LabelledDoc = Label


def article_text(article: ArticleRecord) -> str:
    """The words the model reads: title, abstract, MeSH and keywords."""
    parts = [to_plain(article.title), to_plain(article.abstract)]
    parts += [m.descriptor for m in article.mesh] + list(article.keywords)
    return " ".join(parts).lower()


def _tokens(text: str) -> list[str]:
    words = _TOKEN.findall(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(slots=True)
class LearnedModel:
    vocabulary: dict[str, int]
    idf: list[float]
    coef: list[float]  # words first, then rule features in RULE_FEATURES order
    intercept: float
    rule_features: list[str]
    n_labels: int = 0

    def score(self, article: ArticleRecord, rule_features: Mapping[str, float]) -> float:
        """Probability that the article is relevant."""
        counts = Counter(t for t in _tokens(article_text(article)) if t in self.vocabulary)
        weights = {
            self.vocabulary[t]: (1 + math.log(c)) * self.idf[self.vocabulary[t]]
            for t, c in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        z = self.intercept + sum(self.coef[i] * w / norm for i, w in weights.items())
        offset = len(self.vocabulary)
        for j, name in enumerate(self.rule_features):
            z += self.coef[offset + j] * rule_features.get(name, 0.0)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    @staticmethod
    def adjust(label: str, score: float, p: float) -> tuple[str, float]:
        """Re-rank the rules' relevance with the learned probability; strong doubt only."""
        if label == "core" and p < 0.15:
            label = "related"
        elif label == "related" and p < 0.3:
            label = "off"
        elif label == "off" and p > 0.7:
            label = "related"
        return label, round(0.5 * score + 0.5 * p, 3)

    def to_bytes(self) -> bytes:
        data = {
            "format": _FORMAT,
            "vocabulary": self.vocabulary,
            "idf": self.idf,
            "coef": self.coef,
            "intercept": self.intercept,
            "rule_features": self.rule_features,
            "n_labels": self.n_labels,
        }
        return json.dumps(data, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> LearnedModel:
        data = json.loads(raw.decode("utf-8"))
        if data.get("format") != _FORMAT:
            raise ValueError("not a litwatch relevance model")
        return cls(
            vocabulary=dict(data["vocabulary"]),
            idf=list(data["idf"]),
            coef=list(data["coef"]),
            intercept=float(data["intercept"]),
            rule_features=list(data["rule_features"]),
            n_labels=int(data.get("n_labels", 0)),
        )


RULE_FEATURES = ["rule_score", "rule_core", "rule_related", "rule_off"]


def _rules(label: Label, kb: KnowledgeBase) -> tuple[ArticleRecord, dict[str, float], str]:
    article = label.to_article()
    c = classify_article(article, kb)
    return article, rule_features(c.relevance, c.relevance_score, c.design), c.relevance


def train(labels: Sequence[Label], kb: KnowledgeBase) -> LearnedModel | None:
    """Fit the model; None when there are fewer than 20 labels or only one class."""
    if len(labels) < MIN_LABELS or len({lab.relevant for lab in labels}) < 2:
        return None
    return _fit(labels, [_rules(lab, kb) for lab in labels])


def _fit(
    labels: Sequence[Label], ruled: Sequence[tuple[ArticleRecord, dict[str, float], str]]
) -> LearnedModel:
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    docs = [Counter(_tokens(article_text(a))) for a, _, _ in ruled]
    df = Counter(t for d in docs for t in d)
    vocab_terms = sorted(t for t, n in df.items() if n >= 2)
    vocabulary = {t: i for i, t in enumerate(vocab_terms)}
    n_docs = len(docs)
    idf = [math.log((1 + n_docs) / (1 + df[t])) + 1 for t in vocab_terms]
    rows, cols, vals = [], [], []
    for r, d in enumerate(docs):
        weights = {vocabulary[t]: (1 + math.log(c)) * idf[vocabulary[t]] for t, c in d.items()
                   if t in vocabulary}  # fmt: skip
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for col, w in weights.items():
            rows.append(r)
            cols.append(col)
            vals.append(w / norm)
    words = csr_matrix((vals, (rows, cols)), shape=(n_docs, len(vocabulary)))
    rules = csr_matrix(np.array([[f.get(k, 0.0) for k in RULE_FEATURES] for _, f, _ in ruled]))
    x = hstack([words, rules]).tocsr()
    y = np.array([lab.relevant for lab in labels], dtype=int)
    model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    model.fit(x, y)
    return LearnedModel(
        vocabulary=vocabulary,
        idf=[round(v, 6) for v in idf],
        coef=[round(float(v), 6) for v in model.coef_[0]],
        intercept=float(model.intercept_[0]),
        rule_features=list(RULE_FEATURES),
        n_labels=len(labels),
    )


def cross_validate(labels: Sequence[Label], kb: KnowledgeBase, folds: int = 5) -> dict[str, Any]:
    """Rules alone vs rules+learned on held-out folds: F1 and accuracy of 'relevant'."""
    result: dict[str, Any] = {"n": len(labels), "folds": folds}
    if len(labels) < MIN_LABELS or len({lab.relevant for lab in labels}) < 2:
        result.update(rules=None, learned=None, helps=False, reason="too few labels")
        return result
    # Deal each class round-robin into folds, so every fold holds both kinds.
    fold_of: dict[int, int] = {}
    for cls in (True, False):
        members = [i for i, lab in enumerate(labels) if lab.relevant is cls]
        for k, i in enumerate(members):
            fold_of[i] = k % folds
    rules_pred: list[bool] = []
    learned_pred: list[bool] = []
    truth: list[bool] = []
    ruled = [_rules(lab, kb) for lab in labels]  # the rules' view, computed once
    for fold in range(folds):
        inside = [i for i in range(len(labels)) if fold_of[i] != fold]
        test_set = [i for i in range(len(labels)) if fold_of[i] == fold]
        if not test_set:
            continue
        train_labels = [labels[i] for i in inside]
        model = None
        if len(train_labels) >= MIN_LABELS and len({lab.relevant for lab in train_labels}) > 1:
            model = _fit(train_labels, [ruled[i] for i in inside])
        for i in test_set:
            lab, (article, _features, relevance) = labels[i], ruled[i]
            plain_rules = relevance != "off"
            rules_pred.append(plain_rules)
            if model is None:
                learned_pred.append(plain_rules)
            else:
                learned_pred.append(classify_article(article, kb, learned=model).relevance != "off")
            truth.append(lab.relevant)
    rules = _scores(truth, rules_pred)
    learned = _scores(truth, learned_pred)
    result.update(
        rules=rules,
        learned=learned,
        helps=learned["f1"] > rules["f1"] + 0.005 and learned["accuracy"] >= rules["accuracy"],
    )
    return result


def _scores(truth: list[bool], pred: list[bool]) -> dict[str, float]:
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
    fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
    correct = sum(t == p for t, p in zip(truth, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": round(f1, 4), "accuracy": round(correct / len(truth), 4) if truth else 0.0}
