"""The model card: what a bundle is for, how well it does, for whom, in plain words.

The card is a JSON-ready dictionary kept in the manifest; ``render_markdown`` and
``render_html`` turn it into the two files shipped beside it. Every text that comes
from a configuration or the data is escaped in the HTML.
"""

from __future__ import annotations

import html
from typing import Any

from engine.build.config import BuildConfig

HOW_TO_READ_AN_HDI = (
    "Each forecast comes with two ranges. The 90% range is the narrowest range of "
    "fatality counts that the model gives a 90 in 100 chance of holding the real "
    "count; the 50% range, inside it, holds the real count about half the time. A "
    "range of '0 to 0' means the model expects no fatalities with at least that "
    "chance. A wide range means the model is unsure, not that violence is certain to "
    "be high. Ranges are about the count in one unit and one month."
)

GENERIC_LIMITATIONS = (
    "The model learns only from past fatality counts, the calendar and, where "
    "available, neighbouring units. It knows nothing of elections, ceasefires, "
    "troop movements or other news: local knowledge can and should override it.",
    "Onsets of violence in places with no recent history are rare and hard to "
    "foresee; the model gives them small probabilities and will miss most of them.",
    "Very large escalations (a new war) lie beyond most of what the model learnt "
    "from; the top of its ranges can be too low in such months.",
    "Forecasts further ahead are less certain; look at the range, not only the "
    "central value.",
)


def model_card(
    config: BuildConfig,
    evaluation: dict[str, Any],
    groups: list[str],
    model_summary: str,
) -> dict[str, Any]:
    """The structured card, with the evaluation's figures in plain words."""
    card = config.card
    overall = evaluation.get("overall", {})
    return {
        "title": card.title,
        "summary": card.summary,
        "model": model_summary,
        "intended_use": card.intended_use,
        "out_of_scope": list(card.out_of_scope),
        "how_to_read_an_hdi": HOW_TO_READ_AN_HDI,
        "limitations": [*card.limitations, *GENERIC_LIMITATIONS],
        "known_failure_modes": _failure_modes(evaluation),
        "performance": _performance(overall, evaluation),
        "groups": _groups(evaluation, groups, config.group_label),
        "data": {
            "description": card.data_description,
            "licence": card.licence,
            "citation": card.citation,
            "synthetic": card.synthetic,
        },
        "ethical_considerations": list(card.ethical_considerations),
        "contacts": list(card.contacts),
    }


def _performance(overall: dict[str, Any], evaluation: dict[str, Any]) -> list[str]:
    model = overall.get("model")
    if not model:
        return ["No evaluation figures are available."]
    method = evaluation.get("method", {})
    lines = [
        f"Tested on {method.get('rows', '?')} forecasts made at "
        f"{method.get('origins', '?')} past months between "
        f"{method.get('first_origin', '?')} and {method.get('last_origin', '?')}, "
        "with data the model never saw while it learnt.",
        f"The 90% range held the real count in {_percent(model['coverage90'])} of "
        f"these forecasts, and the 50% range in {_percent(model['coverage50'])}.",
    ]
    claimed = model.get("claimed90")
    if claimed is not None:
        lines.append(
            f"By the model's own numbers its 90% ranges held {_percent(claimed)} of "
            "the possible outcomes on average: never less than 90%, and more where a "
            "range is '0 to 0', because it then holds every 'no fatalities' outcome "
            "the model foresaw. The real counts fell inside in "
            f"{_percent(model['coverage90'])}, so compare these two figures to judge "
            "whether the ranges can be trusted."
        )
    above = model.get("coverage90_where_interval_above_zero")
    if above is not None:
        lines.append(
            f"Where the 90% range went above zero (the model saw a real chance of "
            f"fatalities), it held the real count in {_percent(above)} of forecasts; "
            f"in the other {_percent(model['share_interval_only_zero'])} the range "
            "was '0 to 0' and that share includes many units with no conflict, "
            "which is why the overall figure is above 90%."
        )
    for name, label in (
        ("zeros", "always forecasting no fatalities"),
        ("last_value", "repeating the last month"),
        ("unit_history", "the unit's own past months"),
    ):
        baseline = overall.get(name)
        if baseline:
            verdict = "better" if model["crps"] < baseline["crps"] else "worse"
            lines.append(
                f"Against {label}: average CRPS error {model['crps']:.4g} against "
                f"{baseline['crps']:.4g} ({verdict}; lower is better), on log counts "
                f"{model['crps_log']:.4g} against {baseline['crps_log']:.4g}."
            )
    calibration = _calibration(evaluation.get("calibration", {}))
    if calibration:
        lines.append(calibration)
    return lines


def _calibration(calibration: dict[str, Any]) -> str:
    """How the ranges were calibrated, per band of horizons where there are several."""
    bands = [band for band in calibration.get("bands", []) if "factor" in band]
    if not bands:
        return ""
    count = len(calibration.get("periods", [])) or 1
    where = (
        "in a calibration period just before the test period"
        if count == 1
        else f"over {count} calibration periods spread over the years before the "
        "test period (each checked with a model that had not seen it)"
    )
    if len(bands) == 1:
        return (
            "The ranges were calibrated before the test: the spread of fatality "
            f"counts was multiplied by {bands[0]['factor']:.3g} (on a log scale) so "
            f"that the 90% ranges held 90% of outcomes {where}."
        )
    factors = "; ".join(
        f"{band['horizons']} months ahead: {band['factor']:.3g}" for band in bands
    )
    return (
        "The ranges were calibrated before the test, separately for forecasts near "
        "and far ahead, because uncertainty grows with distance: the model keeps "
        "its own past outcomes for each distance band, and the spread of fatality "
        "counts in each band was multiplied (on a log scale) by its own factor "
        f"({factors}) so that, {where}, the 90% ranges held 90% of outcomes at "
        "every distance."
    )


def _failure_modes(evaluation: dict[str, Any]) -> list[str]:
    modes = [
        "A unit whose data stopped arriving: the gate blocks it rather than forecast "
        "from stale data.",
        "A sudden change in how fatalities are counted or reported (a new source, a "
        "revised method) looks to the model like a change in violence; the drift "
        "checks warn about it.",
    ]
    weaker = _horizons_behind_a_baseline(evaluation)
    if weaker:
        modes.append(
            "On the count of fatalities (CRPS on counts), the model did worse than a "
            f"simple rule at horizon(s) {weaker} months ahead: far ahead, its "
            "forecasts of large counts are no better than the past average. Treat "
            "far-ahead ranges as rough."
        )
    gap = evaluation.get("largest_group_gap", {}).get("crps_skill")
    if gap:
        modes.append(
            f"The model serves {gap['worst_group']} least well (skill "
            f"{gap['worst']:.2f} against {gap['best']:.2f} for {gap['best_group']}; "
            "1 is perfect, 0 no better than the best simple rule)."
        )
    return modes


def _horizons_behind_a_baseline(evaluation: dict[str, Any]) -> str:
    """Horizons where some naive baseline has a lower CRPS on counts, as ranges."""
    behind = [
        int(row["horizon"])
        for row in evaluation.get("by_horizon", [])
        if any(
            isinstance(row.get(name), dict)
            and row[name]["crps"] is not None
            and row["model"]["crps"] is not None
            and row[name]["crps"] < row["model"]["crps"]
            for name in ("zeros", "last_value", "unit_history")
        )
    ]
    spans: list[str] = []
    for horizon in behind:
        if spans and spans[-1].split("-")[-1] == str(horizon - 1):
            spans[-1] = f"{spans[-1].split('-')[0]}-{horizon}"
        else:
            spans.append(str(horizon))
    return ", ".join(spans)


def _groups(evaluation: dict[str, Any], groups: list[str], label: str) -> dict:
    results = []
    for entry in evaluation.get("by_group", []):
        model = entry["model"]
        results.append(
            {
                "group": entry["group"],
                "forecasts": entry["rows"],
                "crps": model["crps"],
                "crps_log": model["crps_log"],
                "coverage90": model["coverage90"],
                "brier": model["brier"],
                "crps_skill": entry.get("crps_skill"),
            }
        )
    return {
        "kind": label,
        "names": groups,
        "results": results,
        "largest_gap": evaluation.get("largest_group_gap", {}),
    }


def _percent(value: Any) -> str:
    return "?" if value is None else f"{100 * float(value):.1f}%"


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


# Rendering ----------------------------------------------------------------------------

_SECTIONS = (
    ("intended_use", "Intended use"),
    ("out_of_scope", "Uses out of scope"),
    ("how_to_read_an_hdi", "How to read the ranges (HDIs)"),
    ("performance", "How well it does"),
    ("limitations", "Limitations"),
    ("known_failure_modes", "Known failure modes"),
    ("ethical_considerations", "Ethical considerations"),
    ("contacts", "Contacts"),
)


def _blocks(card: dict[str, Any]) -> list[tuple[str, str, list[str] | str]]:
    """The card as (kind, heading, content) blocks, shared by both renderings."""
    blocks: list[tuple[str, str, list[str] | str]] = [
        ("title", card["title"], card["summary"]),
        ("text", "Model", card["model"]),
    ]
    for key, heading in _SECTIONS[:4]:
        value = card[key]
        blocks.append(("list" if isinstance(value, list) else "text", heading, value))
    blocks.append(("groups", "Groups of units", []))
    for key, heading in _SECTIONS[4:]:
        value = card[key]
        blocks.append(("list" if isinstance(value, list) else "text", heading, value))
    data = card["data"]
    data_lines = [
        data["description"],
        f"Licence: {data['licence']}",
        f"Cite: {data['citation']}",
    ]
    if data["synthetic"]:
        data_lines.insert(0, "SYNTHETIC DATA: this model was trained on made-up data.")
    blocks.append(("list", "Data and licences", data_lines))
    return blocks


def _group_rows(card: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = [
        card["groups"]["kind"].capitalize(),
        "Forecasts",
        "CRPS",
        "CRPS (log)",
        "90% range held",
        "Skill",
    ]
    rows = [
        [
            str(result["group"]),
            str(result["forecasts"]),
            _number(result["crps"]),
            _number(result["crps_log"]),
            _percent(result["coverage90"]),
            _number(result["crps_skill"]),
        ]
        for result in card["groups"]["results"]
    ]
    return header, rows


def render_markdown(card: dict[str, Any]) -> str:
    """The card as Markdown (text from people is written as it is)."""
    lines: list[str] = []
    for kind, heading, content in _blocks(card):
        if kind == "title":
            lines += [f"# {heading}", "", str(content), ""]
            continue
        lines += [f"## {heading}", ""]
        if kind == "groups":
            header, rows = _group_rows(card)
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + " --- |" * len(header))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        elif kind == "list":
            lines += [f"- {item}" for item in content]
        else:
            lines.append(str(content))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_html(card: dict[str, Any]) -> str:
    """The card as one self-contained HTML page; every text is escaped."""
    esc = html.escape
    body: list[str] = []
    for kind, heading, content in _blocks(card):
        if kind == "title":
            body += [f"<h1>{esc(heading)}</h1>", f"<p>{esc(str(content))}</p>"]
            continue
        body.append(f"<h2>{esc(heading)}</h2>")
        if kind == "groups":
            header, rows = _group_rows(card)
            body.append("<table>")
            body.append(
                "<tr>" + "".join(f"<th>{esc(c)}</th>" for c in header) + "</tr>"
            )
            body += [
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                for row in rows
            ]
            body.append("</table>")
        elif kind == "list":
            body.append("<ul>")
            body += [f"<li>{esc(str(item))}</li>" for item in content]
            body.append("</ul>")
        else:
            body.append(f"<p>{esc(str(content))}</p>")
    title = esc(card["title"])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;"
        "line-height:1.5}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.2em .6em}</style>\n"
        "</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
