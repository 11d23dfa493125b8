#!/usr/bin/env python3
"""The archive's command line: build the site, check the incident files, or preview while editing.

    python build.py            build site/ (same as `python build.py build`)
    python build.py --offline  also build site-offline/ and its zip, for use from disk
    python build.py check      validate only; print every problem as path:line:col
                               (--snapshots DIR also compares excerpts and quotes with source texts)
    python build.py serve      build, serve on http://127.0.0.1:8000 and rebuild on changes
    python build.py new --date 2025-06-06 --region UA-30 [--place Kyiv] "Title"
                               write a skeleton incident file and print its path
    python build.py diff BASE [HEAD]
                               the content changes between two git revisions, as Markdown
    python build.py import FILE [--mapping MAPPING.yaml] [--dry-run] [--update]
                               write incident files from a spreadsheet (CSV or XLSX)
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from archive.files import printable_name
from archive.pipeline import Project, build, check
from archive.problems import BuildError


def main(argv: list[str] | None = None) -> int:
    """Run a command; any failure ends in a one-line message and exit status 1, never a traceback.

    ARCHIVE_DEBUG=1 shows the traceback of an unexpected error, for reporting it.
    """
    try:
        return run(argv)
    except KeyboardInterrupt:
        print("Interrupted; site/ was left as it was.", file=sys.stderr)
        return 130
    except BuildError as failure:  # data/ has errors (`new` reads it too): each one located, as check prints them
        print("\n".join(map(str, failure.problems)) + f"\n{failure}", file=sys.stderr)
        return 1
    except OSError as failure:  # a full disk, a read-only folder, a missing permission
        if os.environ.get("ARCHIVE_DEBUG"):
            raise
        where = f" {printable_name(str(failure.filename))}" if failure.filename else ""
        print(f"error: cannot read or write{where}: {failure.strerror or failure}. site/ was left as it was.", file=sys.stderr)
        return 1
    except Exception as failure:  # a bug of ours: say so in one line
        if os.environ.get("ARCHIVE_DEBUG"):
            raise
        print(f"internal error: {type(failure).__name__}: {str(failure)[:300]}. site/ was left as it was. "
              "Please report it (run again with ARCHIVE_DEBUG=1 for the details).", file=sys.stderr)
        return 1


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent,
                        help="folder holding incidents/ and content/; site/ is written there (default: this repository)")
    offline_help = "also write site-offline/ (the site for use from disk, search included) and site/downloads/archive-offline.zip"
    parser.add_argument("--offline", action="store_true", help=offline_help)
    commands = parser.add_subparsers(dest="command")
    build_command = commands.add_parser("build", help="validate, then write site/ with its search index")
    build_command.add_argument("--offline", action="store_true", default=argparse.SUPPRESS, help=offline_help)
    build_command.add_argument("--no-search", action="store_true",
                               help="skip the search index: a quicker build (the last index is kept only while no page changed)")
    check_command = commands.add_parser("check", help="validate only and list every problem")
    check_command.add_argument("--format", choices=("text", "github"), default="text",
                               help="text: path:line:col: error: ... (default); github: workflow annotations")
    check_command.add_argument("--snapshots", type=Path, metavar="DIR",
                               help="folder of source text snapshots (<source key>.txt or <url made safe>.txt): "
                                    "every excerpt and quote must appear in its source's snapshot")
    new = commands.add_parser("new", help="write a skeleton incident file and print its path")
    new.add_argument("--date", required=True, help="the incident's local date, YYYY-MM-DD")
    new.add_argument("--region", action="append", default=[], metavar="CODE",
                     help="an ISO 3166-2 region code such as UA-30; repeat for several (optional with --place)")
    new.add_argument("--place", action="append", default=[], metavar="NAME",
                     help="a settlement the sources name, located from the gazetteer (in the first --region when it has several "
                          "of that name); its region is added; repeat for several")
    new.add_argument("title")
    diff = commands.add_parser("diff", help="report the content changes between two git revisions in Markdown")
    diff.add_argument("base", help="the revision before, e.g. origin/main")
    diff.add_argument("head", nargs="?", default="HEAD", help="the revision after (default: HEAD)")
    sheet = commands.add_parser("import", help="write incident files from a spreadsheet (CSV or XLSX), checked as check checks them")
    sheet.add_argument("files", nargs="+", type=Path, metavar="FILE",
                       help="a CSV (comma, semicolon or tab; UTF-8) or XLSX sheet; several files are read as one sheet "
                            "(the archive's incidents.csv and figures.csv together)")
    sheet.add_argument("--mapping", type=Path, metavar="MAPPING.yaml",
                       help="a YAML file naming the field of each other heading, fixed values for every row, and columns to leave out")
    sheet.add_argument("--dry-run", action="store_true", help="check everything and say what would be written, but write nothing")
    sheet.add_argument("--update", action="store_true", help="fill the empty fields of incidents already in the archive, and print what changed")
    serve = commands.add_parser("serve", help="build, serve and rebuild on every change")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    project = Project(root=args.root.resolve())
    if __name__ == "__main__" and args.command in ("check", "build", None):  # (None: `python build.py`, a build)
        # A command run from the shell does its work once and exits (exit_now). Once check or build is
        # done, the cycle collector, paused meanwhile (pipeline.collector_paused), would go over the
        # whole model once more (half a second at 10,000 incidents) only for the process to end.
        gc.disable()

    if args.command == "check":
        return run_check(project, args.snapshots, args.format)
    if args.command == "new":
        return run_new(project, args.date, args.region, args.title, args.place)
    if args.command == "import":
        return run_import(project, args.files, args.mapping, args.dry_run, args.update)
    if args.command == "diff":
        from archive.diff import content_diff
        from archive.git import GitError

        try:
            report, _ = content_diff(project.root, args.base, args.head)
        except GitError as failure:
            print(f"diff: {failure}", file=sys.stderr)
            return 2
        print(report)
        return 0
    if args.command == "serve":
        from archive.serve import serve_forever  # only the preview server needs it

        return serve_forever(project, args.host, args.port)
    return run_build(project, offline=args.offline, with_search=not getattr(args, "no_search", False))


def run_check(project: Project, snapshots: Path | None = None, output_format: str = "text") -> int:
    if snapshots is not None and not snapshots.is_dir():
        print(f"--snapshots {snapshots}: no such folder", file=sys.stderr)
        return 2
    archive, problems = check(project, snapshots_dir=snapshots)
    for problem in problems:
        print(problem.as_github_annotation() if output_format == "github" else problem)
    errors = sum(problem.is_error for problem in problems)
    if errors or archive is None:  # check builds no archive only when there are errors
        print(f"{errors} error(s), {len(problems) - errors} warning(s)", file=sys.stderr)
        return 1
    print(f"OK: {len(archive.incidents)} incidents, {len(problems)} warning(s)", file=sys.stderr)
    return 0


def run_new(project: Project, date: str, regions: list[str], title: str, places: list[str] | None = None) -> int:
    from archive.reference import load_reference
    from archive.scaffold import ScaffoldError, locate_places, new_incident

    reference = load_reference(project.data_dir)
    try:
        located = locate_places(places or [], regions[0] if regions else None, reference)
        path = new_incident(project.incidents_dir, date, regions, title, reference, located)
    except ScaffoldError as failure:
        print(f"new: {failure}", file=sys.stderr)
        return 2
    for place in located:  # which match was chosen and why: on stderr, so stdout stays the path
        print("\n".join(place.notes), file=sys.stderr)
    print(path.relative_to(project.root).as_posix())
    return 0


def run_import(project: Project, files: list[Path], mapping: Path | None, dry_run: bool, update: bool) -> int:
    from archive.importer import import_sheets
    from archive.pipeline import latest_date_anywhere

    report = import_sheets(project, files, latest_date_anywhere(), mapping, dry_run=dry_run, update=update)
    for problem in report.problems:
        print(problem)
    for line in report.updated:
        print(line)
    for path in report.written:
        print(path)
    print(report.summary(), file=sys.stderr)
    return 1 if report.errors else 0


def run_build(project: Project, offline: bool = False, with_search: bool = True) -> int:
    from archive.progress import Progress

    progress = Progress()
    try:
        report = build(project, offline=offline, with_search=with_search, progress=progress)
    except BuildError as failure:
        progress.finish()
        for problem in failure.problems:
            print(problem)
        print(f"Build failed: {failure}. site/ was left as it was.", file=sys.stderr)
        return 1
    progress.finish()
    for warning in report.warnings:
        print(warning)
    print(report.summary())
    return 0


def exit_now(code: int) -> None:
    """Exit without tearing the model down object by object: with 10,000 incidents that takes
    about 2 s, after the work is done. Every file is closed and every worker joined by then."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
