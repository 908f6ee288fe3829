"""`litwatch classify`, `explain`, `feedback`, `evidence` and `eval`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from sqlmodel import Session

from litwatch.cli.arguments import check_choice
from litwatch.cli.output import (
    FORMAT_HELP,
    console,
    print_csv,
    print_evidence_table,
    print_json,
    table_format,
)
from litwatch.cli.runtime import open_context, settings
from litwatch.errors import ConfigError, StoreError
from litwatch.judging.learned import Label, cross_validate
from litwatch.pubmed.markup import to_plain
from litwatch.store.articles import all_pmids, article_record, get_article, unclassified_pmids


def classify(
    all_: bool = typer.Option(False, "--all", help="Re-classify every stored article."),
    pmid: list[str] = typer.Option([], "--pmid", help="Only this PMID (repeatable)."),
) -> None:
    """Classify stored articles not yet classified (or all of them, or some PMIDs)."""
    from litwatch.cli.ingest import progress_bar
    from litwatch.jobs.kb_sync import sync_knowledge_base
    from litwatch.judging.classify_stored import classify_pmids

    with open_context() as ctx:
        changed, redone = sync_knowledge_base(ctx)
        if changed or redone:
            what = f"knowledge base changed ({', '.join(sorted(changed))})" if changed else ""
            typer.echo(
                f"{what or 'rules or knowledge base changed'}: re-classified {redone} article(s)"
            )
        with Session(ctx.engine) as session:
            if pmid:
                missing = [p for p in pmid if get_article(session, p) is None]
                if missing:
                    raise StoreError(f"not in the store: {', '.join(missing)}")
                todo = list(pmid)
            elif all_:
                todo = all_pmids(session)
            else:
                todo = unclassified_pmids(session)
            with progress_bar("classify") as bar:
                task = bar.add_task("classify", total=len(todo))
                done = classify_pmids(
                    session,
                    todo,
                    kb=ctx.knowledge_base,
                    now=ctx.now(),
                    progress=lambda n: bar.advance(task, n),
                )
            session.commit()
    typer.echo(f"classified {done} article(s)")


def explain(pmid: str) -> None:
    """The whole reasoning for one article, with the evidence sentences."""
    from litwatch.store.classifications import get_classification

    with open_context() as ctx, Session(ctx.engine) as session:
        article = get_article(session, pmid)
        if article is None:
            raise StoreError(f"PMID {pmid} is not in the store")
        c = get_classification(session, pmid)
        kb = ctx.knowledge_base
    record = article_record(article)
    out = console.print
    out(f"[bold]{escape(to_plain(record.title))}[/bold]")
    out(
        f"PMID {pmid}  {escape(record.journal_iso or record.journal_title)}  "
        f"{record.pub_date_text}  https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        highlight=False,
    )
    if record.retracted:
        out("[red]RETRACTED[/red]")
    if c is None:
        out("not classified yet: run `litwatch classify`")
        return
    out(f"\n[bold]{escape(c.explanation)}[/bold]", highlight=False)
    out(
        f"relevance: {c.relevance} ({c.relevance_score:.2f})   design: {c.design}   "
        f"priority: {c.priority:.2f}   model: {c.model}   knowledge base: {c.kb_version}",
        highlight=False,
    )
    if c.flags:
        out(f"flags: {', '.join(c.flags)}", highlight=False)
    if c.numbers:
        out(
            "numbers: "
            + ", ".join(f"{k}={v}" for k, v in c.numbers.items() if v not in (None, [], "")),
            highlight=False,
            markup=False,
        )
    for j in c.findings:
        finding = kb.get(j.finding_id)
        out(
            f"\n[bold]{j.finding_id}[/bold]: {j.stance} (confidence {j.confidence:.2f})",
            highlight=False,
        )
        if finding is not None:
            out(f"  finding: {escape(finding.statement)}", highlight=False)
        if j.reason:
            out(f"  why: {escape(j.reason)}", highlight=False)
        for e in j.evidence:
            out(f"  evidence: {_highlight(e.sentence, e.spans)}", highlight=False)
    if c.reasons:
        out("\n[bold]reasoning[/bold]")
        for reason in c.reasons:
            out(f"  - {escape(reason)}", highlight=False)


def _highlight(sentence: str, spans: list[tuple[int, int]]) -> str:
    parts, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        parts.append(escape(sentence[last:start]))
        parts.append(f"[reverse]{escape(sentence[start:end])}[/reverse]")
        last = end
    parts.append(escape(sentence[last:]))
    return "".join(parts)


def feedback(
    pmid: str,
    relevant: bool | None = typer.Option(
        None, "--relevant/--not-relevant", help="Is the article relevant?"
    ),
    finding: str | None = typer.Option(None, "--finding", help="A finding id."),
    stance: str | None = typer.Option(None, "--stance", help="The right stance on it."),
) -> None:
    """Label an article; the labels teach the relevance model and correct stances."""
    from litwatch.judging.feedback import add_feedback

    with open_context() as ctx, Session(ctx.engine) as session:
        add_feedback(
            session,
            pmid,
            now=ctx.now(),
            relevant=relevant,
            finding_id=finding,
            stance=stance,
            known_findings={f.id for f in ctx.knowledge_base.findings},
        )
        session.commit()
    typer.echo(f"recorded feedback on PMID {pmid}")


def evidence(
    finding_id: str,
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """The living evidence table of a finding: every stored article that reports on it."""
    from litwatch.judging.evidence import COLUMNS, evidence_table

    table_format(fmt)
    with open_context() as ctx, Session(ctx.engine) as session:
        finding = ctx.knowledge_base.get(finding_id)
        if finding is None:
            known = ", ".join(f.id for f in ctx.knowledge_base.findings)
            raise ConfigError(f"unknown finding {finding_id!r} (known: {known})")
        table = evidence_table(session, finding_id)
    rows = [r.as_dict() for r in table.rows]
    if fmt == "json":
        print_json(
            {
                "finding": finding_id,
                "statement": finding.statement,
                **table.as_dict(),
                "articles": rows,
            }
        )
    elif fmt == "csv":
        print_csv(rows, COLUMNS)
    else:
        print_evidence_table(f"{finding_id}: {finding.statement}", table)


def eval_(
    gold: Path,
    fmt: str = typer.Option("text", "--format", help="text or json (json lists every record)"),
    errors: bool = typer.Option(
        False, "--errors", help="List each disagreement with the sentence that decided it."
    ),
    half: int | None = typer.Option(
        None, "--half", help="Only half 1 or 2 of the file (fixed halves, alternating by label)."
    ),
) -> None:
    """Measure the classifier on a labelled JSONL file (precision, recall, F1, accuracy)."""
    from litwatch.judging.eval_report import format_errors, format_report
    from litwatch.judging.evaluate import evaluate as run_eval
    from litwatch.judging.gold import HALVES, half_of, load_gold
    from litwatch.judging.knowledge_file import load_knowledge_base

    check_choice(fmt, ("text", "json"), "--format")
    if half is not None and half not in HALVES:
        raise ConfigError(f"--half must be 1 or 2 (got {half})")
    if not gold.is_file():
        raise ConfigError(f"{gold}: no such file")
    kb = load_knowledge_base(settings().findings)
    records = load_gold(gold)
    if half is not None:
        records = half_of(records, half)
    result = run_eval(records, kb, details=errors or fmt == "json")
    # Would a model learned from labels help? Cross-validated on the file's own labels, and on
    # the feedback stored so far when there is a store.
    result["learned_on_gold"] = _summary(
        cross_validate(
            [Label.from_article(r.to_article(), r.relevance != "off") for r in records], kb
        )
    )
    result["learned_on_feedback"] = _feedback_cv(kb)
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(format_report(result))
    if errors:
        typer.echo("\n" + format_errors(result["errors"]))
    for name, title in (
        ("learned_on_gold", "this file's labels"),
        ("learned_on_feedback", "stored feedback"),
    ):
        cv = result[name]
        if cv is None:
            typer.echo(f"learned model on {title}: no store or fewer than 20 labels")
        else:
            typer.echo(
                f"learned model on {title} ({cv['n']} labels, {cv['folds']}-fold): rules F1 "
                f"{cv['rules_f1']}, rules+learned F1 {cv['learned_f1']} -> "
                + ("helps, used" if cv["helps"] else "does not help, not used")
            )


def _summary(cv: dict) -> dict | None:  # type: ignore[type-arg]
    if cv.get("rules") is None:
        return None
    return {
        "n": cv["n"],
        "folds": cv["folds"],
        "rules_f1": round(cv["rules"]["f1"], 3),
        "learned_f1": round(cv["learned"]["f1"], 3),
        "helps": bool(cv["helps"]),
    }


def _feedback_cv(kb) -> dict | None:  # type: ignore[no-untyped-def, type-arg]
    from litwatch.context import build_context
    from litwatch.store.engine import is_initialised
    from litwatch.store.feedback import list_relevance_labels

    ctx = build_context(settings())
    try:
        if not is_initialised(ctx.engine):
            return None
        with Session(ctx.engine) as session:
            labels = [Label.from_article(a, rel) for a, rel in list_relevance_labels(session)]
        return _summary(cross_validate(labels, kb))
    finally:
        ctx.close()


def register(app: typer.Typer) -> None:
    app.command()(classify)
    app.command()(explain)
    app.command()(feedback)
    app.command()(evidence)
    app.command("eval")(eval_)
