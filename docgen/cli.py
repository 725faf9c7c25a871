"""The `docgen` command: a thin shell over docgen.documents and the app factory."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docgen import config


def _serve(args) -> int:
    from gunicorn.app.base import BaseApplication

    from docgen.registry import Registry

    settings = config.load()
    Registry(settings["DATABASE_URL"]).engine.dispose()   # schema migrated before the workers start

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{settings['HOST']}:{settings['PORT']}")
            self.cfg.set("workers", settings["WORKERS"])
            self.cfg.set("timeout", 120)

        def load(self):
            from docgen.app import create_app
            return create_app()

    Server().run()
    return 0


def _render(args) -> int:
    from docgen.documents import Renderer
    from docgen.errors import Problem

    out = Path(args.output)
    fmt = out.suffix.lstrip(".").lower()
    try:
        payload = json.loads(Path(args.payload).read_text(encoding="utf-8"))
        rendered = Renderer.from_config(config.load()).render(args.type, payload, fmt, args.profile)
    except json.JSONDecodeError as exc:
        print(f"错误：{args.payload} 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）", file=sys.stderr)
        return 2
    except Problem as problem:
        print(f"错误：{problem.title}。{problem.detail}", file=sys.stderr)
        for err in problem.errors or []:
            print(f"  {err['pointer']}: {err['detail']}", file=sys.stderr)
        return 1
    tmp = out.with_name(out.name + ".part")   # never leave a half-written file under the real name
    tmp.write_bytes(rendered.content)
    tmp.replace(out)
    for warning in rendered.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    print(f"{out}  ({rendered.filename}, {len(rendered.content)} bytes)")
    return 0


def _batch(args) -> int:
    from pydantic import ValidationError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from docgen.batch import runner
    from docgen.batch.request import BatchRequest
    from docgen.batch.xlsx import read_roster
    from docgen.documents import Renderer
    from docgen.errors import Problem, chinese_errors
    from docgen.registry import Registry

    source = Path(args.roster)
    settings = config.load()
    renderer = Renderer.from_config(settings)
    try:
        data = read_roster(source.read_bytes()) if source.suffix.lower() == ".xlsx" else \
            json.loads(source.read_text(encoding="utf-8"))
        if args.profile:
            data["profile"] = args.profile
        if args.unit:
            data["unit"] = {**data.get("unit", {}), "name": args.unit}
        request = BatchRequest.model_validate(data, context={"calendar": renderer.calendar, "warnings": []})
        errors = runner.check(request, renderer)
    except ValidationError as exc:
        errors = chinese_errors(exc, BatchRequest)
    except (json.JSONDecodeError, Problem) as exc:
        print(f"错误：无法读取 {source}：{getattr(exc, 'detail', exc)}", file=sys.stderr)
        return 2
    if errors:
        print(f"错误：花名册有{len(errors)}处需要修改，未生成任何文件：", file=sys.stderr)
        for err in errors:
            print(f"  {err['pointer']}: {err['detail']}", file=sys.stderr)
        return 1
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=False) as bar:
        task = bar.add_task(f"{request.unit.name}", total=None)
        outcome = runner.run(request, Path(args.output), renderer, registry=Registry(settings["DATABASE_URL"]),
                             progress=lambda done, total: bar.update(task, completed=done, total=total))
    print(f"{len(outcome.files)} 个文件 → {args.output}/files/，打包 {runner.ARCHIVE}，双面打印 {runner.PRINT}")
    return 0


def _db_upgrade(args) -> int:
    from docgen import db

    engine = db.make_engine(config.load()["DATABASE_URL"])
    db.upgrade(engine, args.revision)
    print(f"database at revision {db.current(engine)} ({engine.url.render_as_string(hide_password=True)})")
    engine.dispose()
    return 0


def _types(args) -> int:
    from docgen.kinds import KINDS

    for kind in KINDS.values():
        print(f"{kind.slug}\t{kind.title}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the docgen command line."""
    parser = argparse.ArgumentParser(prog="docgen", description="职称评审文书生成：JSON → PDF / DOCX")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="start the HTTP service (gunicorn) on DOCGEN_HOST:DOCGEN_PORT").set_defaults(func=_serve)
    render = sub.add_parser("render", help="render one document; the format follows the output suffix")
    render.add_argument("type")
    render.add_argument("payload")
    render.add_argument("-o", "--output", required=True)
    render.add_argument("--profile")
    render.set_defaults(func=_render)
    batch = sub.add_parser("batch", help="render every document of every applicant of a unit")
    batch.add_argument("roster", help="ROSTER.json (see samples/batch.json) or ROSTER.xlsx (花名册)")
    batch.add_argument("-o", "--output", required=True, help="output folder")
    batch.add_argument("--profile")
    batch.add_argument("--unit", help="unit name, when the XLSX has no 单位（盖章） line")
    batch.set_defaults(func=_batch)
    sub.add_parser("types", help="list the document types").set_defaults(func=_types)
    database = sub.add_parser("db", help="the database of issued documents and batches").add_subparsers(
        dest="db_command", required=True)
    upgrade = database.add_parser("upgrade", help="apply the migrations (DOCGEN_DATABASE_URL or DATA_DIR's SQLite)")
    upgrade.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    upgrade.set_defaults(func=_db_upgrade)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
