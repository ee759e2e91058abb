"""IoU of every selection method on the evaluation set (tests/selection_eval.py), with targets.

Methods: plain GrabCut from the box (the reference, `selection_baseline`), select object from
the box, click-to-select from the case's click, and select subject with no hint at all. For each:
mean and worst IoU on the whole set, on its development half (where parameters were chosen)
and its held-out half, on composites and product-style photos, per kind of cut or background
and per kind of object photo. A photo where select subject finds nothing scores 0.

Select subject is judged on the cases with one clear subject (`Case.clear_subject`: not a
composite over a photo with a subject of its own, such as a cat's face filling the frame);
its figure on all 50 cases, as first reported, is printed beside it (`select_subject_all_cases`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from selection_baseline import plain_grabcut
from selection_eval import Case, evaluation_set, iou, summarise

from desktop_editor.core.selection.common import SelectionError
from desktop_editor.core.selection.select_object import ObjectHints, select_object
from desktop_editor.core.selection.subject import select_at, select_subject

# Issue 29's targets: (IoU the mean must reach, IoU the worst case must reach), on the whole set.
TARGETS = {
    "plain_grabcut_box": (None, None),
    "select_object_box": (0.96, 0.90),
    "click": (None, 0.85),
    "select_subject": (0.93, None),
    "select_subject_all_cases": (None, None),
}

METHODS: dict[str, Callable[[Case], np.ndarray]] = {
    "plain_grabcut_box": lambda c: plain_grabcut(c.photo, c.box),
    "select_object_box": lambda c: select_object(c.photo, ObjectHints(box=c.box)),
    "click": lambda c: select_at(c.photo, *c.click),
    "select_subject": lambda c: select_subject(c.photo),
    "select_subject_all_cases": lambda c: select_subject(c.photo),
}
CASES: dict[str, Callable[[Case], bool]] = {"select_subject": lambda c: c.clear_subject}


def run_method(name: str, cases) -> tuple[dict[str, float], dict[str, str], float]:
    """IoU per case, the cases that raised (with their message), and the mean seconds per case."""
    scores, refused = {}, {}
    started = time.perf_counter()
    for case in cases:
        try:
            mask = METHODS[name](case)
        except SelectionError as exc:
            refused[case.name] = str(exc)
            mask = np.zeros_like(case.truth)
        scores[case.name] = round(iou(mask, case.truth), 4)
    return scores, refused, (time.perf_counter() - started) / max(1, len(cases))


def evaluate(say: Callable[[str], None]) -> dict:
    every = evaluation_set()
    say(f"evaluation set: {len(every)} cases at {every[0].photo.shape[1]}x{every[0].photo.shape[0]} "
        f"({sum(c.development for c in every)} development, {sum(not c.development for c in every)} held out; "
        f"{sum(c.clear_subject for c in every)} with one clear subject)")
    report = {}
    for name in METHODS:
        judged = CASES.get(name, lambda c: True)
        cases = [c for c in every if judged(c)]
        scores, refused, seconds = run_method(name, cases)
        summary = summarise(scores, cases)
        mean_target, worst_target = TARGETS[name]
        whole = summary["all"]
        ok = (mean_target is None or whole["mean"] >= mean_target) and (
            worst_target is None or whole["worst"] >= worst_target)
        report[name] = {"summary": summary, "per_case": scores, "refused": refused,
                        "seconds_per_case": round(seconds, 3),
                        "targets": {"mean": mean_target, "worst": worst_target}, "ok": ok}
        say(f"  {name:20s} mean {whole['mean']:.3f} worst {whole['worst']:.3f} ({whole['worst_case']}); "
            f"dev {summary['development']['mean']:.3f}/{summary['development']['worst']:.3f}, "
            f"held-out {summary['held_out']['mean']:.3f}/{summary['held_out']['worst']:.3f}; "
            f"composites {summary['composites']['mean']:.3f}, products {summary['products']['mean']:.3f}; "
            f"targets mean {mean_target} worst {worst_target}: {'ok' if ok else 'MISSED'}")
        kinds = ", ".join(f"{k} {v['mean']:.3f}/{v['worst']:.3f}" for k, v in summary["per_kind"].items())
        say(f"  {'':20s} per kind (mean/worst): {kinds}")
    return report
