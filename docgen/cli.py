"""The `docgen` command: a thin shell over docgen.documents, docgen.batch and the app factory."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from docgen import config
from docgen.bootstrap import bootstrap

if TYPE_CHECKING:
    from rich.table import Table

    from docgen.batch.local import LocalRunner
    from docgen.batch.request import BatchRequest
    from docgen.batch.store import Batch, NewItem
    from docgen.documents import Rendered
    from docgen.errors import Problem
    from docgen.services import Services

Progress = Callable[[int, int], None]


def _settings(*, share_metrics: bool = False) -> config.Settings:
    """Read the settings and bootstrap this process with them (every command that renders or stores)."""
    settings = config.settings()
    bootstrap(settings.FONTS_DIR, share_metrics=share_metrics)
    return settings


def _warn_local_links(settings: config.Settings) -> None:
    """Warn on stderr when the QR codes' verification links would point at this computer (127.0.0.1,
    localhost): a phone scanning the printed page could not open them."""
    host = urlsplit(settings.PUBLIC_URL).hostname or ""
    if host in ("localhost", "::1") or host.startswith("127."):
        unset = "（未设置，取缺省值）" if "DOCGEN_PUBLIC_URL" not in os.environ else ""
        print(f"警告：DOCGEN_PUBLIC_URL 为 {settings.PUBLIC_URL}{unset}，文书二维码中的核验链接指向本机，"
              "其他电脑和手机扫码无法打开；请设为本服务对外的地址，如 https://zc.example.gov.cn", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    from docgen.serve import RunnerProcess, Server
    from docgen.services import migrate

    # gunicorn's workers and the batch runner's processes count into one folder that /metrics sums
    settings = _settings(share_metrics=True)
    migrate(settings)   # before the workers start
    _warn_local_links(settings)
    if not settings.ALLOWED_HOSTS:
        print("提示：未设置 DOCGEN_ALLOWED_HOSTS，任何 Host 头都会被受理；对外服务时请列出本服务的域名", file=sys.stderr)
    if not settings.REQUIRE_API_KEY:
        print("警告：未启用 API 密钥（DOCGEN_REQUIRE_API_KEY），能访问本端口的任何人都可生成、撤销文书、删除批次文件和"
              "删除申报人信息（其他网站的页面经浏览器发起的提交一律 403）。请只在内网使用，或启用密钥",
              file=sys.stderr)
    # batches: Celery workers when a broker is set; else one embedded runner process beside gunicorn (its
    # own process pool, restarted if it dies), not one per gunicorn worker
    runner = None if settings.BROKER_URL else RunnerProcess()

    def stop_runner(_server: object = None) -> None:
        if runner is not None:
            runner.stop()       # it finishes the items in hand

    try:
        Server(settings, app_config={"BATCH_RUNNER": "process"}, on_exit=stop_runner).run()
    finally:
        stop_runner()
    return 0


def _worker(args: argparse.Namespace) -> int:
    from docgen.batch.tasks import run_worker

    settings = _settings()
    if not settings.BROKER_URL:
        print("错误：docgen worker 需要 DOCGEN_BROKER_URL（如 redis://127.0.0.1:6379/0）", file=sys.stderr)
        return 2
    run_worker(settings, args.concurrency or settings.batch_workers)
    return 0


def _usage_error(message: str) -> int:
    """Print one line saying what is wrong with the command line and what is valid; exit status 2."""
    print(f"错误：{message}", file=sys.stderr)
    return 2


def _render(args: argparse.Namespace) -> int:
    from docgen import profiles
    from docgen.documents import carries_qr
    from docgen.errors import Problem

    fmt_or_error = _render_format(args)
    if isinstance(fmt_or_error, int):
        return fmt_or_error
    try:
        payload = None if args.blank else json.loads(Path(args.payload).read_text(encoding="utf-8"))
        rendered = _issue(args, payload, fmt_or_error)
    except OSError as exc:
        return _usage_error(f"无法读取 {args.payload}：{exc.strerror}")
    except json.JSONDecodeError as exc:
        return _usage_error(f"{args.payload} 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）")
    except Problem as problem:
        _print_problem(f"错误：{problem.title}。{problem.detail}", problem)
        return 1 if problem.status == 422 else 2
    out = Path(args.output)
    tmp = out.with_name(out.name + ".part")   # never leave a half-written file under the real name
    tmp.write_bytes(rendered.content)
    tmp.replace(out)
    for warning in rendered.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    if not (args.blank or args.preview) and carries_qr(rendered.kind.slug, profiles.get(rendered.profile), args.qr):
        _warn_local_links(config.settings())   # as `serve` warns
    issued = "" if args.blank else ", 预览稿，未出具" if args.preview else f", 编号 {rendered.document_id}"
    print(f"{out}  ({rendered.filename}, {len(rendered.content)} bytes{issued})")
    return 0


def _render_format(args: argparse.Namespace) -> str | int:
    """Check the command line of `docgen render`; return the format to render, or the exit status of a usage error."""
    from docgen import profiles
    from docgen.kinds import KINDS

    kind = KINDS.get(args.type)
    if kind is None:
        return _usage_error(f"未知的文书类型“{args.type}”，可用：{'、'.join(KINDS)}")
    if args.profile and args.profile not in profiles.ids():
        return _usage_error(f"没有地区配置“{args.profile}”，可用：{'、'.join(profiles.ids())}")
    out = Path(args.output)
    fmt: str = (args.format or out.suffix.lstrip(".")).lower()
    if fmt not in kind.formats:
        return _usage_error(f"{kind.title}可生成的格式：{'、'.join(kind.formats)}，收到“{fmt or out.name}”"
                            "（用 --format 或输出文件的后缀指定）")
    if args.blank == (args.payload is not None):
        return _usage_error("请给出数据文件 PAYLOAD.json，或用 --blank 生成空白表（二者选一）")
    return fmt


def _issue(args: argparse.Namespace, payload: object, fmt: str) -> Rendered:
    """Issue the document the command line asks for (recorded and counted), or render its preview (not
    recorded) or the blank form."""
    from docgen.documents import Marks
    from docgen.services import Services

    services = Services.build(_settings())
    try:
        if args.blank:
            return services.renderer.blank(args.type, fmt, args.profile, copies=args.copies)
        marks = Marks(seal=args.seal, sign=args.sign, pdfa=args.pdfa, qr=args.qr)
        rendered = services.renderer.render(args.type, payload, fmt, args.profile, copies=args.copies,
                                            blind=args.blind, preview=args.preview, marks=marks,
                                            credentials=services.credentials(args.unit))
        if not args.preview:
            services.issuer.issue([rendered])
        return rendered
    finally:
        services.close()


def _print_problem(headline: str, problem: Problem) -> None:
    """Print a problem's headline and each of its errors (pointer: detail) on stderr."""
    print(headline, file=sys.stderr)
    for err in problem.errors or []:
        print(f"  {err['pointer']}: {err['detail']}", file=sys.stderr)


def _batch(args: argparse.Namespace) -> int:
    from docgen.services import Services

    services = Services.build(_settings())
    try:
        return _run_batch(services, Path(args.roster), Path(args.output), args)
    finally:
        services.close()


def _run_batch(services: Services, source: Path, out: Path, args: argparse.Namespace) -> int:
    """Check and store the roster's batch, run it (or follow the workers), and write what it made into `out`."""
    from docgen.batch.local import LocalRunner, shutdown_pool
    from docgen.errors import Problem

    try:
        request, items, batch = _submit_batch(services, source, args)
    except (json.JSONDecodeError, OSError) as exc:
        print(f"错误：无法读取 {source}：{exc}", file=sys.stderr)
        return 2
    except Problem as problem:
        return _batch_refused(source, problem)
    runner = LocalRunner(services)
    try:
        status, seconds = _follow_batch(services, runner, batch.id, request.unit.name, len(items))
    except KeyboardInterrupt:
        print(f"已中断：批次 {batch.id} 已保存，" + ("仍由 worker 生成" if services.settings.BROKER_URL else
                                                  "下次启动 docgen serve 时继续生成"), file=sys.stderr)
        return 130
    finally:
        runner.stop()
        shutdown_pool()
    return _write_batch(services, batch.id, out, f"{request.unit.name}：{status}（{seconds:.1f} 秒）", status)


def _submit_batch(services: Services, source: Path, args: argparse.Namespace
                  ) -> tuple[BatchRequest, list[NewItem], Batch]:
    """Read the roster (JSON or XLSX), check every document of it, and store the batch for the runner or the
    Celery workers (with a broker set)."""
    from docgen.batch import executor, plan, work
    from docgen.batch.xlsx import read_roster_cells

    data, cells = read_roster_cells(source.read_bytes()) if source.suffix.lower() == ".xlsx" else \
        (json.loads(source.read_text(encoding="utf-8")), None)
    if isinstance(data, dict) and args.profile:
        data["profile"] = args.profile
    if isinstance(data, dict) and args.unit:
        data["unit"] = {**data.get("unit", {}), "name": args.unit}
    request, items, _ = plan.intake(data, services.renderer, cells=cells)
    dispatch: executor.Dispatch = executor.LocalDispatch()
    if services.settings.BROKER_URL:   # the Celery workers render it; this command waits and shows progress
        from docgen.batch.tasks import make_celery

        dispatch = executor.CeleryDispatch(make_celery(services.settings))
    batch, _ = executor.submit(services.store, dispatch, services.settings, request,
                               services.renderer.profile(request.profile).id, items,
                               attach=work.attach(services.storage, request, []), detach=work.detach(services.storage))
    return request, items, batch


def _batch_refused(source: Path, problem: Problem) -> int:
    """Print why a roster was refused: every bad cell (exit 1), or why it could not be read (exit 2)."""
    if problem.status != 422:
        print(f"错误：无法读取 {source}：{problem.detail}", file=sys.stderr)
        return 2
    errors = problem.errors or []
    _print_problem(f"错误：花名册有{len(errors)}处需要修改，未生成任何文件：", problem)
    return 1


def _follow_batch(services: Services, runner: LocalRunner, batch_id: str, unit: str, total: int
                  ) -> tuple[str, float]:
    """Run the batch here (or follow the Celery workers) with a progress bar; return its status and seconds."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    started = time.monotonic()
    with Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
             console=Console(stderr=True)) as bar:
        task = bar.add_task(unit, total=total)

        def progress(done: int, _total: int) -> None:
            bar.update(task, completed=done)

        if services.settings.BROKER_URL:
            status = _await_workers(services, batch_id, progress)
        else:
            status = runner.run_batch(batch_id, progress=progress)
    return status, time.monotonic() - started


def _await_workers(services: Services, batch_id: str, progress: Progress) -> str:
    """Follow a batch the Celery workers render until it is done or failed; return its status."""
    import time

    from docgen.batch.store import UNFINISHED

    while True:
        batch = services.store.get(batch_id)
        assert batch is not None   # submitted above
        progress(batch.done, batch.total)
        if batch.status not in UNFINISHED:
            return batch.status
        time.sleep(0.5)


def _write_batch(services: Services, batch_id: str, out: Path, title: str, status: str) -> int:
    """Write the batch's archive, print file and files/ tree into `out`; show a table of what was made."""
    import shutil
    import zipfile

    from rich.console import Console

    from docgen.batch import work

    finished = services.store.get(batch_id)
    assert finished is not None
    out.mkdir(parents=True, exist_ok=True)
    for name in (work.ARCHIVE, work.PRINT):   # copied as read: a 1000-applicant archive is never whole in memory
        if services.storage.exists(work.batch_key(batch_id, name)):
            with services.storage.reader(work.batch_key(batch_id, name)) as source, open(out / name, "wb") as copy:
                shutil.copyfileobj(source, copy)
    manifest = []
    if (out / work.ARCHIVE).exists():   # the tree as the archive holds it (the items' own files are gone)
        with zipfile.ZipFile(out / work.ARCHIVE) as archive:
            archive.extractall(out)
            manifest = json.loads(archive.read(work.MANIFEST))["files"]
    errors = finished.errors
    console = Console(stderr=True)
    console.print(_summary(title, manifest, errors))
    for err in errors:
        console.print(f"  {err['pointer']}: {err['detail']}")
    print(f"{len(manifest)} 个文件 → {out}/files/，打包 {work.ARCHIVE}，双面打印 {work.PRINT}")
    return 0 if status == "done" and not errors else 1


def _summary(title: str, manifest: list[dict[str, Any]], errors: list[dict[str, Any]]) -> Table:
    """Return the table of a batch: documents, pages and problems by type."""
    from rich.table import Table

    table = Table(title=title)
    for column in ("文书", "份数", "页数", "问题"):
        table.add_column(column, justify="right" if column != "文书" else "left")
    kinds: dict[str, list[int]] = {}
    for f in manifest:
        row = kinds.setdefault(f["type"], [0, 0, 0])
        row[0] += 1
        row[1] += f["pages"] or 0
    for e in errors:
        kinds.setdefault(e.get("document", ""), [0, 0, 0])[2] += 1
    for slug, (count, pages, problems) in kinds.items():
        table.add_row(slug, str(count), str(pages) if pages else "", str(problems) if problems else "")
    return table


def _db_upgrade(args: argparse.Namespace) -> int:
    from docgen import db

    engine = db.make_engine(config.settings().DATABASE_URL)
    db.upgrade(engine, args.revision)
    print(f"database at revision {db.current(engine)} ({engine.url.render_as_string(hide_password=True)})")
    engine.dispose()
    return 0


def _keys(args: argparse.Namespace) -> int:
    from docgen.services import Services

    services = Services.build(_settings())
    keys = services.keys
    try:
        if args.keys_command == "create":
            key_id, token = keys.create(args.unit)
            print(f"key id: {key_id}\nunit:   {args.unit}\nkey:    {token}\nwebhook secret: {keys.webhook_secret(key_id)}")
            print("提示：密钥与回调签名密钥只显示这一次，请妥善交给该单位（请求头 Authorization: Bearer <密钥>；"
                  "回调签名按 Standard Webhooks 用 webhook secret 核验）", file=sys.stderr)
            return 0
        if not keys.revoke(args.key_id):
            print(f"错误：没有编号为 {args.key_id} 的密钥", file=sys.stderr)
            return 1
        print(f"revoked: {args.key_id}")
        return 0
    finally:
        services.close()


def _units(args: argparse.Namespace) -> int:
    """Register a unit's seal image or signing certificate (checked first: a bad file is refused here)."""
    from docgen.render import seal, signature
    from docgen.services import Services

    data, password = Path(args.file).read_bytes(), ""
    try:
        if args.units_command == "seal":
            said = f"seal: {args.unit}（直径 {seal.load(data).diameter_mm:g} mm）"
        else:
            password = os.environ.get("DOCGEN_SIGNING_PASSWORD") or getpass.getpass("PKCS#12 密码：")
            said = f"certificate: {args.unit}（{signature.Signer.from_p12(data, password).name}）"
    except (seal.SealError, signature.SignerError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    services = Services.build(_settings())
    try:
        if args.units_command == "seal":
            services.units.set_seal(args.unit, data)
        else:
            services.units.set_certificate(args.unit, data, password)
    finally:
        services.close()
    print(said)
    return 0


def _erase(args: argparse.Namespace) -> int:
    from docgen import erasure
    from docgen.errors import Problem
    from docgen.registry import applicant_key
    from docgen.services import Services

    services = Services.build(_settings())
    try:
        id_number = erasure.checked({"id_number": args.id_number})
        report = erasure.erase(services.store, services.storage, id_number,
                               applicant_key(services.settings.SECRET_KEY, id_number))
    except Problem as problem:
        for error in problem.errors or [{"detail": problem.detail}]:
            print(f"错误：{error['detail']}", file=sys.stderr)
        return 2 if problem.status == 422 else 1
    finally:
        services.close()
    _print_erasure(report)
    return 0


def _print_erasure(report: dict[str, Any]) -> None:
    """Print what an erasure did: batches cleared, files deleted, documents masked."""
    print(f"申报人 {report['id_number']}：{len(report['batches'])} 个批次")
    for batch in report["batches"]:
        documents = "、".join(f"{d['document_id']}（{d['subject']}）" for d in batch["documents"]) or "无"
        print(f"批次 {batch['id']}（{batch['unit']}）：清除 {batch['items']} 份文书的内容；"
              f"删除文件：{'、'.join(batch['files_deleted']) or '无'}；遮盖姓名的文书：{documents}")
    if report["documents"]:
        print("单独生成的文书，遮盖姓名：" + "、".join(f"{d['document_id']}（{d['subject']}）" for d in report["documents"]))


def _types(args: argparse.Namespace) -> int:
    from docgen.kinds import KINDS

    for kind in KINDS.values():
        print(f"{kind.slug}\t{kind.title}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the docgen command line."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.func(args)
        return status
    except config.ConfigError as exc:
        return _usage_error(str(exc))


def _parser() -> argparse.ArgumentParser:
    """Return the command line's parser: one sub-command per operation."""
    parser = argparse.ArgumentParser(prog="docgen", description="职称评审文书生成：JSON → PDF / DOCX")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="start the HTTP service (gunicorn) on DOCGEN_HOST:DOCGEN_PORT").set_defaults(func=_serve)
    _add_render(sub)
    _add_batch(sub)
    sub.add_parser("types", help="list the document types").set_defaults(func=_types)
    worker = sub.add_parser("worker", help="run a Celery worker for batches (needs DOCGEN_BROKER_URL)")
    worker.add_argument("-c", "--concurrency", type=int, default=0,
                        help="processes rendering items (default DOCGEN_BATCH_WORKERS, else one per core)")
    worker.set_defaults(func=_worker)
    _add_db(sub)
    _add_keys(sub)
    _add_units(sub)
    _add_erase(sub)
    return parser


def _add_render(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    render = sub.add_parser("render", help="issue one document (recorded: its QR code verifies at /v1/verify/{id})",
                            description="Issue one document from a JSON payload, as POST /v1/documents/{type} does.")
    render.add_argument("type", help="document type (see `docgen types`), e.g. commitment")
    render.add_argument("payload", nargs="?", help="the payload, a JSON file (see samples/<type>.json); not with --blank")
    render.add_argument("-o", "--output", required=True, help="the file to write, e.g. 承诺书.pdf")
    render.add_argument("--format",
                        help="pdf, docx or xlsx (the roster); default: the output file's suffix")
    render.add_argument("--profile", help="regional profile, e.g. bazhou-2024 (default: the payload's, else xinjiang)")
    render.add_argument("--copies", type=int, metavar="N",
                        help="copies printed, each padded to even pages (evaluation-form; default: the profile's)")
    render.add_argument("--blind", action="store_true",
                        help="the 盲评 copy: name, unit, ID number and photo masked (evaluation-form)")
    render.add_argument("--blank", action="store_true", help="the empty form to fill by hand (no payload)")
    render.add_argument("--preview", action="store_true",
                        help="a preview to check: marked 预览稿 on every page, no number, not issued (not recorded)")
    render.add_argument("--seal", action="store_true", help="the unit's seal over its 署名 and 成文日期")
    render.add_argument("--sign", action="store_true", help="the unit's PAdES signature (PDF; the seal shows it)")
    render.add_argument("--pdfa", action=argparse.BooleanOptionalAction, help="PDF/A-2b (default: the profile's)")
    render.add_argument("--qr", action=argparse.BooleanOptionalAction,
                        help="the verification QR code in the bottom margin (default: the profile's)")
    render.add_argument("--unit", help="use this unit's seal and certificate (docgen units); default DOCGEN_SEAL_IMAGE, "
                                       "DOCGEN_SIGNING_P12")
    render.set_defaults(func=_render)


def _add_batch(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    batch = sub.add_parser("batch", help="render every document of every applicant of a unit")
    batch.add_argument("roster", help="ROSTER.json (see samples/batch.json) or ROSTER.xlsx (花名册)")
    batch.add_argument("-o", "--output", required=True, help="output folder")
    batch.add_argument("--profile")
    batch.add_argument("--unit", help="unit name, when the XLSX has no 单位（盖章） line")
    batch.set_defaults(func=_batch)


def _add_db(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    database = sub.add_parser("db", help="the database of issued documents and batches").add_subparsers(
        dest="db_command", required=True)
    upgrade = database.add_parser("upgrade", help="apply the migrations (DOCGEN_DATABASE_URL or DATA_DIR's SQLite)")
    upgrade.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    upgrade.set_defaults(func=_db_upgrade)


def _add_keys(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="API keys per unit (required when DOCGEN_REQUIRE_API_KEY=true)").add_subparsers(
        dest="keys_command", required=True)
    create = keys.add_parser("create", help="create a key for a unit; prints it once")
    create.add_argument("unit", help="the unit's name, e.g. 巴州农业科学研究所")
    create.set_defaults(func=_keys)
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=_keys)


def _add_units(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    units = sub.add_parser("units", help="a unit's seal image and signing certificate").add_subparsers(
        dest="units_command", required=True)
    seal = units.add_parser("seal", help="register the unit's seal: a PNG with transparency")
    certificate = units.add_parser("certificate", help="register the unit's PKCS#12 (password: DOCGEN_SIGNING_PASSWORD "
                                                       "or asked); stored encrypted with SECRET_KEY")
    for command in (seal, certificate):
        command.add_argument("unit", help="the unit's name, as its API key names it")
        command.add_argument("file", help="seal.png or certificate.p12")
        command.set_defaults(func=_units)


def _add_erase(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    erase = sub.add_parser("erase", help="erase one applicant's personal data (as POST /v1/erasures, every unit)",
                           description="Redact the applicant's stored payloads, delete the batch files that hold "
                                       "their data, and mask their name on the documents they were issued (which "
                                       "stay verifiable).")
    erase.add_argument("id_number", help="the applicant's 18-character ID number")
    erase.set_defaults(func=_erase)


if __name__ == "__main__":
    sys.exit(main())
