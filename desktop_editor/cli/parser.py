"""The command parser and the options commands share, each defined once.

`desktop-editor` alone starts the app (build_app_parser); `desktop-editor COMMAND ...` is parsed
by build_parser. A usage error is one line and exit code 2, never a usage dump.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_editor import __version__
from desktop_editor.cli.status_codes import EXIT_USAGE


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line instead of a usage dump plus message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"desktop-editor: {message} (see --help)\n")


def add_edit_options(p: argparse.ArgumentParser) -> None:
    """The options of an edit, shared by `edit` and `batch`: model, prompt, output, expansion, service."""
    from desktop_editor.core.params import DEFAULT_MODEL, MODELS

    p.add_argument("--prompt", default="", help="what to change, 2 to 32,000 characters (not needed for tag removal or product isolation)")
    p.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS), metavar="MODEL", help=f"default {DEFAULT_MODEL}")
    p.add_argument("--num-images", type=int, default=1, metavar="N", help="1 to 4")
    p.add_argument("--format", dest="output_format", default="png", choices=("png", "jpeg", "webp"))
    p.add_argument("--size", default="auto", metavar="S", help="auto, a preset like square_hd, or WxH (multiples of 16)")
    p.add_argument("--quality", default="high", choices=("low", "medium", "high", "auto"))
    p.add_argument("--sync", action="store_true", help="results come back inline and are not kept by the service")
    p.add_argument(
        "--option", action="append", default=[], metavar="KEY=VALUE",
        help="a model's own input, repeatable: " + _options_help(MODELS),
    )
    p.add_argument("--input-fidelity", choices=("low", "high"), help="gpt-image-1.5 only (= --option input_fidelity=...)")
    p.add_argument("--background", choices=("auto", "transparent", "opaque"), help="gpt-image-1.5 only (= --option background=...)")
    p.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="folder for results (default: here)")
    p.add_argument("--keep-unmasked", action="store_true", help="pixels outside the mask stay the original's (bit for bit in a PNG; a JPEG is encoded again: see --save-format)")
    p.add_argument("--feather", type=float, default=0.0, metavar="PX", help="soft edge for --keep-unmasked")
    p.add_argument(
        "--save-format", choices=("source", "service", "png", "jpeg"), default=None,
        help="how a composited result is saved: like the original (a JPEG stays a JPEG, quality 95, "
             "4:4:4; PNG keeps every pixel outside the mask exact), the --format asked of the model, "
             "png or jpeg (default: source, or the --format given when it is jpeg or webp)",
    )
    p.add_argument("--rescale-mask", action="store_true", help="scale a mask of another size to the image")
    p.add_argument("--layers", choices=("psd", "ora"), help="also write the results as masked layers over the "
                   "original beside them (IMAGE-edit-layers.psd or .ora)")
    add_provenance_options(p)
    p.add_argument("--style", choices=("run", "direct"), default="run", help="run (documented) or direct (compatibility)")
    from desktop_editor.cli.expand import add_expand_options

    add_expand_options(p)
    add_service_options(p)


def _options_help(models) -> str:
    """'runflow/product-isolation: aspect_ratio (1:1, ...), resolution (...); ...' from the catalogue."""
    parts = []
    for spec in models.values():
        if spec.options:
            fields = ", ".join(f"{f.name} ({'/'.join(f.choices)})" for f in spec.options)
            parts.append(f"{spec.id}: {fields}")
    return "; ".join(parts).replace("%", "%%")


COMMANDS = ("edit", "batch", "mask", "jobs", "layers", "emulator")


def add_provenance_options(p: argparse.ArgumentParser) -> None:
    """Whether saved files say that AI made them: every command that writes an edited image."""
    p.add_argument("--no-provenance", action="store_true",
                   help="leave out the XMP note that AI made the image (IPTC Digital Source Type, model, run)")
    p.add_argument("--provenance-prompt", action="store_true",
                   help="put the prompt in that note too (off by default: prompts can be private)")


def add_service_options(p: argparse.ArgumentParser) -> None:
    """How to reach the service and how long to wait: every command that sends or resumes."""
    p.add_argument("--timeout", type=float, default=600.0, metavar="S", help="how long to wait for a run (default 600)")
    p.add_argument("--poll-interval", type=float, default=1.5, metavar="S", help="seconds between status checks")
    p.add_argument("--base-url", help="service address (default RUNFLOW_BASE_URL or https://api.runflow.io)")
    p.add_argument("--api-key", help="API key (default RUNFLOW_API_KEY or the key stored by the app)")
    p.add_argument("--allow-http", action="store_true",
                   help="send the key to a plain-http address of another machine (unencrypted; also RUNFLOW_ALLOW_HTTP=1)")


def build_parser() -> argparse.ArgumentParser:
    """The command parser: `desktop-editor COMMAND ...`."""
    parser = _Parser(prog="desktop-editor", description="Precise, masked AI image edits with Runflow.")
    parser.add_argument("--version", action="version", version=f"desktop-editor {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    edit = sub.add_parser("edit", help="send one edit and save the results")
    edit.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="the image to edit, then up to 15 references")
    add_edit_options(edit)
    edit.add_argument("--mask", type=Path, help="mask PNG: transparent (alpha 0) or white = area to edit")
    edit.add_argument("--json", action="store_true", help="print one JSON object with the outcome")

    batch = sub.add_parser("batch", help="edit many images, N at a time, journaled and resumable")
    batch.add_argument("--images", required=True, metavar="DIR_OR_GLOB", help="a folder of images or a glob pattern")
    batch.add_argument("--masks", type=Path, metavar="DIR", help="masks matched by file stem (shoe.png, shoe_mask.png)")
    batch.add_argument("--mask", type=Path, metavar="FILE", help="one mask for every image without its own")
    batch.add_argument("--auto-mask", metavar="subject|object:BOX",
                       help="derive each image's mask: its main subject, or the object in BOX "
                            "(X,Y,W,H, pixels or percentages)")
    batch.add_argument("--masks-preview", type=Path, metavar="SHEET.png",
                       help="with --auto-mask: write a contact sheet of the masks before asking to send")
    add_edit_options(batch)
    batch.add_argument("--concurrency", type=int, default=4, metavar="N", help="edits running at once (default 4)")
    batch.add_argument("--yes", action="store_true", help="send without asking")
    batch.add_argument("--report", type=Path, metavar="FILE", help="write a JSON report: per image status, run, cost, files")
    batch.add_argument("--json", action="store_true", help="print the report as JSON on stdout")

    from desktop_editor.cli.commands.mask import add_recipe_options

    mask = sub.add_parser("mask", help="derive masks from photos offline (select subject or object, magic wand)")
    mask.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    mask.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the masks (IMAGE_mask.png)")
    add_recipe_options(mask)
    mask.add_argument("--convention", choices=("openai", "bw"), default="openai",
                      help="openai: transparent = edit (default); bw: white = edit, soft edges kept")
    mask.add_argument("--quiet", action="store_true", help="no progress on stderr")

    jobs = sub.add_parser("jobs", help="journaled jobs of the app and the command line")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", parser_class=_Parser, required=True)
    listing = jobs_sub.add_parser("list", help="recent jobs with their state")
    listing.add_argument("--limit", type=int, default=50)
    show = jobs_sub.add_parser("show", help="one job: run id, client_ref, cost, files")
    show.add_argument("id")
    cancel = jobs_sub.add_parser(
        "cancel", help="call off a job never sent (nothing charged; it is not sent later by anyone)"
    )
    cancel.add_argument("id")
    resume = jobs_sub.add_parser("resume", help="finish every job a crash or kill left unfinished")
    resend = jobs_sub.add_parser("resend", help="send a job again on purpose (a new charge)")
    resend.add_argument("id")
    for p in (resume, resend):
        add_service_options(p)
        p.add_argument("--concurrency", type=int, default=4, metavar="N")
    resume.add_argument(
        "--no-follow",
        action="store_true",
        help="do not wait for edits another window or command is running (default: follow them, "
        "and finish them if that window or command goes away)",
    )

    layers = sub.add_parser("layers", help="write results already saved as masked layers over their original")
    layers.add_argument("results", nargs="+", type=Path, metavar="RESULT", help="result files, bottom layer first")
    layers.add_argument("--original", type=Path, required=True, metavar="IMAGE",
                        help="the image the results were made from (a PSD keeps its own layers)")
    layers.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the layered file: .psd (Photoshop, Krita, GIMP) or .ora (Krita, GIMP, MyPaint)")
    layers.add_argument("--force", action="store_true",
                        help="replace FILE if it exists, and write a PSD copy even if some layers would be flattened")
    add_provenance_options(layers)

    # Listed for --help only: main() hands `emulator ...` to the emulator's own parser.
    sub.add_parser("emulator", help="run the offline Runflow emulator on 127.0.0.1 (see emulator --help)", add_help=False)
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    """`desktop-editor [FILE ...]`: start the window (argparse cannot mix these files with commands)."""
    parser = _Parser(
        prog="desktop-editor",
        description="Start the app, optionally opening images. Commands: "
        + ", ".join(COMMANDS)
        + " (desktop-editor COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"desktop-editor {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start offscreen, run one edit against the built-in emulator, check it and exit (0 = passed)",
    )
    parser.add_argument("files", nargs="*", type=Path, help="images or .deproj projects to open")
    return parser
