"""The ``dangong`` command: database, demo and scale data, information.

Errors are one clear sentence on stderr and exit code 1; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import time
from pathlib import Path
from typing import Annotated, Callable, Optional

import sqlalchemy as sa
import typer

app = typer.Typer(help="党工共建驾驶舱命令行 / dangong dashboard command line", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
db_app = typer.Typer(help="数据库迁移 / database migrations", no_args_is_help=True)
seed_app = typer.Typer(help="演示数据与规模数据 / demo and scale data", invoke_without_command=True)
users_app = typer.Typer(help="账号管理 / user accounts", no_args_is_help=True)
boundaries_app = typer.Typer(help="乡镇边界 / township boundaries", no_args_is_help=True)
template_app = typer.Typer(help="导入模板 / import templates", no_args_is_help=True)
export_app = typer.Typer(help="导出数据 / export data", no_args_is_help=True)
batches_app = typer.Typer(help="导入批次 / import batches", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(users_app, name="users")
app.add_typer(boundaries_app, name="boundaries")
app.add_typer(template_app, name="template")
app.add_typer(export_app, name="export")
app.add_typer(batches_app, name="batches")
push_app = typer.Typer(help="推送：会议简报、周报/月报、督办提醒 / push briefs, summaries and reminders", no_args_is_help=True)
app.add_typer(push_app, name="push")

_state = {"debug": False}


class CliError(Exception):
    """A failure explained in one sentence."""


def _fail(message: str) -> None:
    typer.secho(f"错误 / error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def friendly(func: Callable) -> Callable:
    """Turn known failures into one sentence and exit code 1 (traceback only with --debug)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from models.db import DatabaseError

        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except BrokenPipeError:  # `dangong info | head`: the reader left; no message, no traceback
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None
        except Exception as exc:  # noqa: BLE001 - this is the CLI's last line of defence
            if _state["debug"]:
                raise
            if isinstance(exc, sa.exc.OperationalError) and "readonly" in str(exc.orig):
                msg = (f"数据库是只读的，无法写入（{str(exc.orig).strip().splitlines()[0]}）；请检查数据库文件及其目录的写权限"
                       " / the database is read-only: check the write permission of the file and its directory")
            elif isinstance(exc, sa.exc.OperationalError):
                msg = f"无法访问数据库（{str(exc.orig).strip().splitlines()[0]}）；请检查 DANGONG_DATABASE_URL"
            elif isinstance(exc, sa.exc.ArgumentError):
                msg = f"数据库地址无效：{exc}"
            elif isinstance(exc, ModuleNotFoundError):
                msg = (f"不支持的数据库驱动（{exc.name}）：仅支持 SQLite 与 PostgreSQL，请检查 DANGONG_DATABASE_URL"
                       " / unsupported database driver: only SQLite and PostgreSQL are supported")
            elif isinstance(exc, (DatabaseError, CliError)) or type(exc).__name__ in ("DemoError", "ScaleError"):
                msg = str(exc)
            else:
                msg = f"{type(exc).__name__}: {exc}（加 --debug 查看详情 / add --debug for details）"
            _fail(msg)

    return wrapper


@app.callback()
def main_callback(debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整堆栈 / show tracebacks")] = False):
    _state["debug"] = debug


def _engine(*, create: bool = False):
    """The configured database; a SQLite file that does not exist is an error unless ``create``
    (only ``db upgrade`` and ``db restore`` make a new database)."""
    from models.db import make_engine

    return make_engine(create=create)


def _migrated_engine():
    from models.db import check_schema

    engine = _engine()
    check_schema(engine)
    return engine


# --------------------------------------------------------------------------- db


@db_app.command("upgrade")
@friendly
def db_upgrade(revision: Annotated[str, typer.Argument(help="目标版本，默认 head")] = "head"):
    """迁移数据库到最新版本 / migrate the database to the newest schema."""
    from models.db import current_revision, head_revision, mask_url, upgrade

    engine = _engine(create=True)
    before = current_revision(engine)
    upgrade(engine, revision)
    after = current_revision(engine)
    typer.echo(f"{mask_url(engine.url)}: {before or '（空库 / empty）'} → {after}（head = {head_revision()}）")


@db_app.command("current")
@friendly
def db_current():
    """显示数据库当前版本 / show the database's schema revision."""
    from models.db import current_revision, head_revision, mask_url

    engine = _engine()
    typer.echo(f"{mask_url(engine.url)}: {current_revision(engine) or '未迁移 / not migrated'} (head {head_revision()})")


def _print_counts(counts: dict[str, int]) -> None:
    for table, n in sorted(counts.items()):
        typer.echo(f"  {table:28s} {n:>12,}")


@db_app.command("backup")
@friendly
def db_backup(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="备份文件（SQLite：数据库文件；PostgreSQL：pg_dump 自定义格式）")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 / overwrite an existing file")] = False,
):
    """在线备份数据库（应用可继续使用）/ back the database up while the app runs."""
    from models.backup import backup_database
    from models.db import mask_url

    engine = _engine()
    info = backup_database(engine, file, force=force)
    typer.echo(f"已备份 {mask_url(engine.url)} → {info.path}（{info.size / 1e6:.1f} MB，版本 {info.revision}，"
               f"{info.rows:,} 行，用时 {info.seconds:.1f} 秒）/ backup written and checked")
    _print_counts(info.counts)


@db_app.command("restore")
@friendly
def db_restore(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="由 dangong db backup 写出的备份文件")],
    force: Annotated[bool, typer.Option("--force", help="数据库已有数据时仍以备份替换 / replace a database that holds data")] = False,
):
    """以备份替换数据库并核对各表行数 / replace the database by a backup and verify the row counts."""
    from models.backup import restore_database
    from models.db import head_revision, mask_url

    engine = _engine(create=True)
    info = restore_database(engine, file, force=force)
    typer.echo(f"已从 {file} 恢复 {mask_url(engine.url)}：版本 {info.revision}，{info.rows:,} 行，各表行数一致"
               f"（用时 {info.seconds:.1f} 秒）/ restored; every table's row count matches the backup")
    _print_counts(info.counts)
    if not info.at_head:
        typer.echo(f"备份的版本 {info.revision} 早于程序（{head_revision()}）：请运行 dangong db upgrade"
                   " / the backup is older than the code: run `dangong db upgrade`")
    typer.echo("正在运行的驾驶舱请重新启动，以免显示缓存中的旧数据 / restart a running dashboard (its caches hold old figures)")


# --------------------------------------------------------------------------- seed


def _progress_printer(prefix: str):
    start = time.monotonic()

    def progress(stage: str, done: int, total: int | None = None) -> None:
        elapsed = time.monotonic() - start
        of = f"/{total:,}" if total else ""
        typer.echo(f"  [{elapsed:6.1f}s] {prefix} {stage}: {done:,}{of}", err=True)

    return progress


def _whole_number(value: str | None, option: str, *, minimum: int | None = None, example: int = 1000) -> int | None:
    """``value`` of ``option`` as an integer (at least ``minimum``), or a CliError in one sentence.

    Numbers are read here rather than by Typer, whose refusal is a usage box and exit code 2."""
    if value is None:
        return None
    text = value.strip().replace("_", "").replace(",", "")
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or (minimum is not None and number < minimum):
        shown = value if len(value) <= 40 else value[:40] + "…"
        if minimum == 1:
            zh, en = "正整数", "a whole number of 1 or more"
        elif minimum is not None:
            zh, en = f"不小于 {minimum} 的正整数", f"a whole number of {minimum} or more"
        else:
            zh, en = "整数", "a whole number"
        raise CliError(f"{option} 应为{zh}（例如 {option} {example}），而不是“{shown}” / {option} must be {en}")
    return number


@seed_app.callback()
@friendly
def seed_callback(
    ctx: typer.Context,
    scale: Annotated[Optional[str], typer.Option("--scale", metavar="N", help="写入 N 家合成企业（需空库）/ write N synthetic enterprises")] = None,
    seed: Annotated[str, typer.Option(metavar="INTEGER", help="随机种子 / random seed")] = "7",
    batch_size: Annotated[str, typer.Option(metavar="INTEGER", help="批量插入的行数（≥ 100）/ rows per batch")] = "50000",
    today: Annotated[Optional[str], typer.Option(help="故事截止日期 YYYY-MM-DD（默认今天），用于可复现的数据")] = None,
):
    """演示数据（seed demo）或规模测试数据（seed --scale N）。"""
    if ctx.invoked_subcommand is not None:
        if scale is not None:
            raise CliError("--scale 不能与子命令同时使用 / --scale cannot be combined with a subcommand")
        return
    if scale is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    scale = _whole_number(scale, "--scale", minimum=1)
    seed = _whole_number(seed, "--seed", example=7)
    batch_size = _whole_number(batch_size, "--batch-size", minimum=100, example=50_000)
    from models.summary import rebuild_summaries
    from seed_data.scale import generate_scale

    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise CliError(f"日期格式错误：“{today}”，应为 YYYY-MM-DD") from None
    engine = _migrated_engine()
    t0 = time.monotonic()
    progress = _progress_printer("scale")
    counts = generate_scale(engine, scale, seed=seed, batch_size=batch_size, today=day, progress=progress)
    counts |= rebuild_summaries(engine, progress=progress, today=day)
    typer.echo(f"已写入 {scale:,} 家合成企业，用时 {time.monotonic() - t0:.1f} 秒 / wrote {scale:,} enterprises")
    for table, n in sorted(counts.items()):
        typer.echo(f"  {table:28s} {n:>12,}")


@seed_app.command("demo")
@friendly
def seed_demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="库中已有数据时跳过而不报错 / skip quietly when data exists")] = False,
    seed: Annotated[Optional[str], typer.Option(metavar="INTEGER", help="随机种子（默认取设置 demo_seed）")] = None,
    today: Annotated[Optional[str], typer.Option(help="故事截止日期 YYYY-MM-DD（默认今天）")] = None,
):
    """写入演示区数据（越北镇与四家典型企业来自原文，其余为虚构）/ write the demo district."""
    from models.settings import get_settings
    from seed_data.demo import database_is_empty, write_demo

    seed = _whole_number(seed, "--seed", example=2002)
    engine = _migrated_engine()
    if not database_is_empty(engine):
        if if_empty:
            typer.echo("数据库已有数据，跳过演示数据 / database has data; demo not written")
            from models.summary import is_fresh, rebuild_summaries

            with engine.connect() as conn:
                fresh = is_fresh(conn)
            if not fresh:  # e.g. after an upgrade that added summary tables
                counts = rebuild_summaries(engine)
                typer.echo("汇总表已重建 / summaries rebuilt: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
            _ensure_demo_accounts(engine)
            return
        raise CliError("数据库中已有数据，未写入演示数据；请使用空数据库 / the database is not empty")
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise CliError(f"日期格式错误：“{today}”，应为 YYYY-MM-DD") from None
    seed = get_settings().demo_seed if seed is None else seed
    counts = write_demo(engine, seed=seed, today=day, progress=lambda t, n: typer.echo(f"  {t}: {n:,}", err=True))
    typer.echo(f"演示数据已写入（种子 {seed}，截至 {day}）：{counts.get('enterprise', 0)} 家企业 / demo written")


def _ensure_demo_accounts(engine) -> None:
    """A demo database made before accounts existed gets its demo accounts."""
    from sqlmodel import Session

    from seed_data.demo import add_demo_users

    with engine.connect() as conn:
        is_demo = conn.execute(sa.text("SELECT value FROM dataset_info WHERE key = 'dataset'")).scalar() == "demo"
        has_users = conn.execute(sa.text("SELECT 1 FROM app_user LIMIT 1")).first() is not None
    if is_demo and not has_users:
        with Session(engine) as s:
            add_demo_users(s)
            s.commit()
        typer.echo("已添加演示账号 / demo accounts added")


# --------------------------------------------------------------------------- info


@db_app.command("refresh-summary")
@friendly
def db_refresh_summary():
    """重建汇总表（写入数据后）/ rebuild the summary tables after writing data."""
    from models.summary import rebuild_summaries

    engine = _migrated_engine()
    t0 = time.monotonic()
    counts = rebuild_summaries(engine, progress=_progress_printer("summary"))
    typer.echo(f"汇总表已重建，用时 {time.monotonic() - t0:.1f} 秒 / summaries rebuilt: "
               + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


@app.command("info")
@friendly
def info():
    """数据库地址（密码已隐藏）、版本与各表行数 / database URL, revision and row counts."""
    from sqlmodel import SQLModel

    import models  # noqa: F401
    from models.db import current_revision, head_revision, mask_url

    engine = _engine()
    rev = current_revision(engine)
    typer.echo(f"数据库 / database: {mask_url(engine.url)}")
    typer.echo(f"版本 / revision:   {rev or '未迁移 / not migrated'} (head {head_revision()})")
    if rev is None:
        typer.echo("请运行 dangong db upgrade / run `dangong db upgrade`")
        return
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            typer.echo(f"  {table.name:28s} {n:>12,}")
        ds = dict(conn.execute(sa.text("SELECT key, value FROM dataset_info")).all())
    if ds:
        typer.echo("数据集 / dataset: " + ", ".join(f"{k}={v}" for k, v in sorted(ds.items())))


# --------------------------------------------------------------------------- users

CLI_ACTOR = "cli"


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        value = sys.stdin.readline().rstrip("\n")
        if not value:
            raise CliError("标准输入中没有密码 / no password on standard input")
        return value
    return typer.prompt("密码 / password", hide_input=True, confirmation_prompt=True)


def _accounts_session():
    from models.db import session_scope

    return session_scope(_migrated_engine())


@users_app.command("add")
@friendly
def users_add(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option(help="leader | township | staff | admin")],
    township: Annotated[list[str], typer.Option("--township", "--town", help="乡镇代码（township 角色，可重复；--town 为旧写法）")] = [],  # noqa: B006
    name: Annotated[Optional[str], typer.Option(help="显示名称")] = None,
    email: Annotated[Optional[str], typer.Option(help="单点登录邮箱")] = None,
    sso_only: Annotated[bool, typer.Option("--sso-only", help="不设本地密码，仅单点登录")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码")] = False,
):
    """新建账号（密码以 argon2id 保存）/ add a user."""
    from models import accounts
    from models.enums import Role

    try:
        role_value = Role(role)
    except ValueError:
        raise CliError(f"未知角色 {role}：应为 leader、township、staff 或 admin") from None
    password = None if sso_only else _read_password(password_stdin)
    with _accounts_session() as s:
        try:
            accounts.create_user(s, username=username, password=password, role=role_value, display_name=name,
                                 email=email, townships=township, actor=CLI_ACTOR)
        except accounts.AccountError as exc:
            raise CliError(str(exc)) from None
    typer.echo(f"已创建用户 {username}（{role_value.value}）/ user added")


@users_app.command("passwd")
@friendly
def users_passwd(username: str, password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False):
    """设置新密码（并解除锁定）/ set a new password (and unlock)."""
    from models import accounts

    password = _read_password(password_stdin)
    with _accounts_session() as s:
        try:
            accounts.set_password(s, username, password, actor=CLI_ACTOR)
        except accounts.AccountError as exc:
            raise CliError(str(exc)) from None
    typer.echo(f"已更新 {username} 的密码 / password changed")


def _toggle(username: str, disabled: bool) -> None:
    from models import accounts

    with _accounts_session() as s:
        try:
            accounts.set_disabled(s, username, disabled, actor=CLI_ACTOR)
        except accounts.AccountError as exc:
            raise CliError(str(exc)) from None


@users_app.command("disable")
@friendly
def users_disable(username: str):
    """停用账号（正在使用的会话随即失效）/ disable a user."""
    _toggle(username, True)
    typer.echo(f"已停用 {username} / disabled")


@users_app.command("enable")
@friendly
def users_enable(username: str):
    """重新启用账号 / enable a user again."""
    _toggle(username, False)
    typer.echo(f"已启用 {username} / enabled")


@users_app.command("unlock")
@friendly
def users_unlock(username: str):
    """解除因连续登录失败造成的锁定 / unlock after failed logins."""
    from models import accounts

    with _accounts_session() as s:
        try:
            accounts.unlock(s, username, actor=CLI_ACTOR)
        except accounts.AccountError as exc:
            raise CliError(str(exc)) from None
    typer.echo(f"已解锁 {username} / unlocked")


@users_app.command("list")
@friendly
def users_list():
    """列出账号（不显示密码）/ list users (never passwords)."""
    from models import accounts

    with _accounts_session() as s:
        rows = accounts.list_users(s)
    if not rows:
        typer.echo("（无账号；用 dangong users add 创建）/ no users yet")
        return
    typer.echo(f"{'username':16} {'role':9} {'townships':12} {'status':10} name / e-mail")
    for r in rows:
        status = "disabled" if r["disabled"] else ("locked" if r["locked_until"] else "active")
        typer.echo(f"{r['username']:16} {r['role']:9} {','.join(r['townships']) or '—':12} {status:10} "
                   f"{r['display_name']} {r['email'] or ''}")


# --------------------------------------------------------------------------- boundaries


def _read_text_file(path: Path, *, max_bytes: int | None = None, too_big: Callable[[int], str] | None = None) -> str:
    """The UTF-8 text of ``path``, or a CliError saying in one sentence why it cannot be read
    (``too_big(size)`` when it is larger than ``max_bytes``: it is then not read at all)."""
    try:
        if max_bytes is not None and path.is_file() and (size := path.stat().st_size) > max_bytes:
            raise CliError(f"{path}: {too_big(size) if too_big else f'文件超过 {max_bytes:,} 字节 / the file is too large'}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"找不到文件 {path} / file not found") from None
    except IsADirectoryError:
        raise CliError(f"{path} 是目录，不是文件 / is a directory, not a file") from None
    except PermissionError:
        raise CliError(f"没有权限读取 {path} / permission denied") from None
    except OSError as exc:
        raise CliError(f"无法读取 {path}（{exc.strerror}）/ cannot read the file") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path} 不是 UTF-8 编码（第 {exc.start + 1} 个字节起无法解码），GeoJSON 须为 UTF-8"
                       f" / the file is not UTF-8") from None


@boundaries_app.command("import")
@friendly
def boundaries_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="GeoJSON 文件（FeatureCollection，WGS 84 或 GCJ-02 经纬度）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并报告，不写入 / validate and report, write nothing")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="有任何要素未匹配或无效时不写入并返回 1 / refuse on any problem")] = False,
    schematic: Annotated[bool, typer.Option(
        "--schematic", help="标记为 示意边界 （要素自身的 schematic 属性 优先） / mark them schematic (a"
                            " feature's own \"schematic\" property wins)")] = False,
    create_townships: Annotated[bool, typer.Option(
        "--create-townships",
        # the space lets the help wrap at 80 columns (a run of Chinese without one is cut off with "…")
        help="为文件中没有对应乡镇的要素 新建乡镇街道 （按名称结尾 判断镇/乡/街道） / create a township for each"
             " feature that matches none (the kind from the name's ending)")] = False,
    name_key: Annotated[Optional[list[str]], typer.Option(
        "--name-key", metavar="KEY",
        help="从此属性 读取乡镇名称 （可重复；默认 name NAME township 乡镇 街道 XZMC name:zh shapeName 乡镇名称 TOWN）"
             " / read names from this property (repeatable)")] = None,
    code_key: Annotated[Optional[list[str]], typer.Option(
        "--code-key", metavar="KEY",
        help="从此属性 读取乡镇代码 （可重复；默认 code township_code CODE adcode XZDM 乡镇代码）"
             " / read codes from this property (repeatable)")] = None,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", metavar="CSV",
        help="名称对照表 CSV， 每行 要素名称,乡镇代码， UTF-8 或 GB18030 / a CSV of feature name, township"
             " code, for names no rule matches")] = None,
    crs: Annotated[str, typer.Option(
        "--crs", metavar="CRS",
        help="文件坐标系： wgs84 （默认） 或 gcj02 （高德、DataV， 导入时 转换为 WGS 84） / the file's"
             " coordinates: wgs84 (default) or gcj02 (AMap, DataV: converted to WGS 84)")] = "wgs84",
    trust_code: Annotated[bool, typer.Option(
        "--trust-code",
        help="代码与名称 指向不同乡镇时 以代码为准 （给出警告）， 默认拒绝该要素 / when a feature's code and name point"
             " to different townships, trust the code (with a warning) instead of refusing the feature")] = False,
):
    """导入乡镇边界 （按代码、对照表或名称匹配乡镇； 同一乡镇的多个要素合并） / import township boundaries from GeoJSON.

    默认识别的属性 / properties read by default — 代码 / codes: code, township_code, CODE, adcode, XZDM,
    乡镇代码; 名称 / names: name, NAME, township, 乡镇, 街道, XZMC, name:zh, shapeName, 乡镇名称, TOWN.
    """
    from models.boundaries import (
        CRS_CHOICES,
        MAPPING_MAX_BYTES,
        MAX_FILE_BYTES,
        BoundaryError,
        import_boundaries,
        read_mapping,
        too_big_message,
    )

    wanted_crs = crs.lower().replace("-", "").replace("_", "")
    if wanted_crs not in CRS_CHOICES:
        raise CliError(f"--crs 只能是 wgs84 或 gcj02，而不是 {crs} / --crs must be wgs84 or gcj02")
    pairs = None
    if mapping is not None:
        if mapping.is_file() and mapping.stat().st_size > MAPPING_MAX_BYTES:
            raise CliError(f"{mapping}: 映射文件超过 {MAPPING_MAX_BYTES // 1000} KB / the mapping file is too large")
        try:
            raw = mapping.read_bytes()
        except FileNotFoundError:
            raise CliError(f"找不到映射文件 {mapping} / mapping file not found") from None
        except OSError as exc:
            raise CliError(f"无法读取 {mapping}（{exc.strerror}）/ cannot read the mapping file") from None
        try:
            pairs = read_mapping(raw)
        except BoundaryError as exc:
            raise CliError(f"{mapping}: {exc}") from None
    text = _read_text_file(file, max_bytes=MAX_FILE_BYTES, too_big=too_big_message)
    engine = _migrated_engine()
    try:
        report = import_boundaries(engine, text, dry_run=dry_run, strict=strict, schematic=schematic,
                                   actor=CLI_ACTOR, create_townships=create_townships, crs=wanted_crs,
                                   code_keys=code_key or None, name_keys=name_key or None, mapping=pairs,
                                   trust_code=trust_code)
    except BoundaryError as exc:
        raise CliError(f"{file}: {exc}") from None
    for line in report.summary_lines():
        typer.echo(line)
    if strict and not report.ok:
        _fail(f"{len(report.unmatched)} 个要素未能导入，严格模式下未写入任何数据"
              f" / {len(report.unmatched)} feature(s) not importable; --strict wrote nothing")
    if not report.shapes:
        _fail("文件中没有任何要素与乡镇匹配，未写入任何数据 / no feature matched a township; nothing written")


@boundaries_app.command("remove")
@friendly
def boundaries_remove(
    code: Annotated[str, typer.Argument(metavar="CODE", help="乡镇代码 / the township's code")],
):
    """删除一个乡镇的边界（记入审计日志）/ remove one township's boundary (audited)."""
    from models.boundaries import BoundaryError, remove_boundary

    try:
        code, name = remove_boundary(_migrated_engine(), code, actor=CLI_ACTOR)
    except BoundaryError as exc:
        raise CliError(str(exc)) from None
    typer.echo(f"已删除 {name}（{code}）的边界 / removed the boundary of {code}")


@boundaries_app.command("export")
@friendly
def boundaries_export(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="输出的 GeoJSON 文件；- 为标准输出")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 / overwrite an existing file")] = False,
):
    """导出当前乡镇边界为 GeoJSON（属性 code、name、schematic）/ export the boundaries."""
    import json

    from models.boundaries import export_boundaries

    fc, without = export_boundaries(_migrated_engine())
    text = json.dumps(fc, ensure_ascii=False, indent=1) + "\n"
    if str(file) == "-":
        sys.stdout.write(text)
    else:
        if file.exists() and not force:
            raise CliError(f"{file} 已存在；加 --force 覆盖 / the file exists; add --force to overwrite it")
        try:
            file.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"无法写入 {file}（{exc.strerror}）/ cannot write the file") from None
    to_stderr = str(file) == "-"  # keep standard output pure GeoJSON
    typer.echo(f"已导出 {len(fc['features'])} 个乡镇的边界 / exported {len(fc['features'])} boundaries", err=to_stderr)
    if without:
        typer.echo("无边界、未导出 / no boundary, not exported: " + "、".join(f"{n}（{c}）" for c, n in without),
                   err=to_stderr)


# --------------------------------------------------------------------------- ledger files


def _write_output(path: Path, data: bytes, force: bool) -> None:
    if path.exists() and not force:
        raise CliError(f"{path} 已存在；加 --force 覆盖 / the file exists; add --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise CliError(f"无法写入 {path}（{exc.strerror}）/ cannot write the file") from None


def _write_ledger(out: Path, rows, *, csv: bool, force: bool, example: bool = False) -> list[Path]:
    from dashboard.ledgerfile.workbook import ledger_csvs, ledger_workbook

    if not csv:
        if out.suffix.lower() != ".xlsx":
            raise CliError(f"{out}: 输出文件应以 .xlsx 结尾（CSV 请加 --csv 并给出目录）/ the output must end in .xlsx")
        _write_output(out, ledger_workbook(rows, example=example), force)
        return [out]
    if out.exists() and not out.is_dir():
        raise CliError(f"{out} 不是目录：--csv 时 -o 为存放各表 CSV 的目录 / with --csv, -o is a directory")
    written = []
    for name, data in ledger_csvs(rows, example=example).items():
        _write_output(out / name, data, force)
        written.append(out / name)
    return written


@template_app.command("ledger")
@friendly
def template_ledger(
    output: Annotated[Path, typer.Option("-o", "--output", metavar="FILE", help="输出的 .xlsx（--csv 时为目录）")],
    csv: Annotated[bool, typer.Option("--csv", help="每张表一个 CSV（UTF-8 带 BOM）/ one CSV per sheet")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 / overwrite")] = False,
):
    """写出台账导入模板（说明、各表表头、下拉选项、示例行）/ write the ledger import template."""
    for path in _write_ledger(output, None, csv=csv, force=force, example=True):
        typer.echo(f"已写出 / written: {path}")


def _townships_scope(engine, names: list[str] | None):
    from dashboard.queries.scope import Scope
    from models.tables import Township

    if not names:
        return Scope.district()
    t = Township.__table__
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.id, t.c.code, t.c.name)).all()
    ids = []
    for name in names:
        hit = [r.id for r in rows if name in (r.code, r.name)]
        if not hit:
            raise CliError(f"没有乡镇街道“{name}”（可用：{'、'.join(r.name for r in rows)}）/ no such township")
        ids += hit
    return Scope.townships(ids)


@export_app.command("ledger")
@friendly
def export_ledger(
    output: Annotated[Path, typer.Option("-o", "--output", metavar="FILE", help="输出的 .xlsx（--csv 时为目录）")],
    township: Annotated[Optional[list[str]], typer.Option("--township", help="只导出这个乡镇街道（名称或代码，可重复）")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="每张表一个 CSV（UTF-8 带 BOM）/ one CSV per sheet")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件 / overwrite")] = False,
):
    """按导入模板的格式导出台账（全区或某乡镇街道），改好后可再导入 / export the ledger in the import format."""
    from dashboard.ledgerfile.export import ledger_rows

    engine = _migrated_engine()
    scope = _townships_scope(engine, township)
    with engine.connect() as conn:
        paths = _write_ledger(output, ledger_rows(conn, scope), csv=csv, force=force)
    for path in paths:
        typer.echo(f"已导出 / exported: {path}")


def _cli_actor(username: str | None):
    """Who imports: an account's role and townships (``--as``), else the operator as admin."""
    from dashboard.edits import Actor
    from dashboard.queries.scope import Scope
    from models.enums import Role
    from models.tables import User, UserTownship

    if username is None:
        return Actor(CLI_ACTOR, Role.ADMIN)
    engine = _migrated_engine()
    u, ut = User.__table__, UserTownship.__table__
    with engine.connect() as conn:
        user = conn.execute(sa.select(u.c.id, u.c.role, u.c.disabled).where(u.c.username == username)).first()
        if user is None or user.disabled:
            raise CliError(f"没有可用的账号“{username}” / no such active account")
        towns = [r[0] for r in conn.execute(sa.select(ut.c.township_id).where(ut.c.user_id == user.id))]
    role = Role(user.role)
    scope = Scope.townships(towns) if role == Role.TOWNSHIP else Scope.district()
    return Actor(username, role, scope)


def _pct(pair) -> str:
    if not isinstance(pair, list) or not pair[1]:
        return "—"
    return f"{pair[0] / pair[1]:.1%}"


def _print_outcome(out) -> None:
    from dashboard.edits.ledger_import import DIFF_KEYS, KPI_KEYS
    from dashboard.i18n import t

    if out.encodings:
        typer.echo("编码 / encodings: " + "，".join(f"{k}: {v}" for k, v in out.encodings.items()))
    typer.echo(f"读取 {out.rows:,} 行（文件日期 {out.file_date}）/ {out.rows:,} rows read")
    if out.townships_created:
        typer.echo("新建乡镇街道 / townships created: " + "、".join(out.townships_created))
    if out.townships_changed:
        typer.echo("更新乡镇街道 / townships updated: " + "、".join(out.townships_changed))
    if out.units_created:
        typer.echo("新建单位 / units created: " + "、".join(out.units_created))
    if not out.changed:
        note = f"（与第 {out.same_file_batch} 批相同）" if out.same_file_batch else ""
        typer.echo(f"与数据库一致，没有任何变化{note} / nothing to change")
        return
    heads = [t(f"import.diff.{k}") for k in DIFF_KEYS]
    typer.echo("\n" + "\t".join(["乡镇街道", *heads]))
    for town, counts in sorted(out.per_township.items()):
        typer.echo("\t".join([town, *(str(counts[k]) for k in DIFF_KEYS)]))
    totals = out.totals()
    typer.echo("\t".join(["合计", *(str(totals[k]) for k in DIFF_KEYS)]))
    if out.kpis_after:
        typer.echo(f"\n指标（截至 {out.kpis_before.get('as_of')}）：导入前 → 导入后 / KPIs before → after")
        typer.echo(f"  {t('import.kpi.operating')}: {out.kpis_before['operating']:,} → {out.kpis_after['operating']:,}")
        for key in KPI_KEYS[1:]:
            typer.echo(f"  {t('kpi.' + key)}: {_pct(out.kpis_before[key])} → {_pct(out.kpis_after[key])}")


@app.command("import")
@friendly
def import_command(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="台账 .xlsx，或各表的 CSV（一起导入）")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示变化，不写入 / check and show the diff only")] = False,
    as_user: Annotated[Optional[str], typer.Option("--as", metavar="USER", help="按此账号的角色和乡镇范围导入")] = None,
    errors: Annotated[Optional[Path], typer.Option("--errors", metavar="FILE.xlsx", help="有问题时写出标红的问题工作簿")] = None,
):
    """导入台账：逐格检查，全部正确才写入（一个事务），记为一个可撤销的导入批次 / import a ledger file."""
    from dashboard.edits import EditError
    from dashboard.edits.ledger_import import import_files
    from dashboard.ledgerfile.reader import check_size

    loaded = []
    for path in files:
        try:
            check_size(path.stat().st_size)
        except FileNotFoundError:
            raise CliError(f"找不到文件 {path} / file not found") from None
        except Exception as exc:  # LedgerFileError: too big
            raise CliError(f"{path}: {exc}") from None
        loaded.append((path.name, path.read_bytes()))
    actor = _cli_actor(as_user)
    engine = _migrated_engine()
    try:
        out = import_files(engine, loaded, actor=actor, dry_run=dry_run, progress=_progress_printer("import"))
    except EditError as exc:
        raise CliError(f"账号“{actor.username}”无权导入 / this account may not import ({exc.key})") from None
    if not out.ok:
        typer.echo(f"发现 {out.problem_count:,} 个问题，未写入任何数据 / {out.problem_count:,} problem(s), nothing written",
                   err=True)
        typer.echo("工作表\t行\t列\t值\t原因", err=True)
        for p in out.problems[:200]:
            typer.echo(f"{p.sheet}\t{p.row or ''}\t{p.column or ''}\t{p.value}\t{p.reason_zh}", err=True)
        if out.problem_count > 200:
            typer.echo(f"……还有 {out.problem_count - 200:,} 个 / … and more (use --errors FILE.xlsx for all)", err=True)
        if errors is not None:
            from dashboard.ledgerfile.errors import problems_workbook

            _write_output(errors, problems_workbook(loaded, out.problems), force=True)
            typer.echo(f"问题工作簿 / problems workbook: {errors}", err=True)
        raise typer.Exit(1)
    _print_outcome(out)
    if dry_run:
        typer.echo("\n试运行：未写入任何数据 / dry run: nothing written")
    elif out.written:
        typer.echo(f"\n已导入，批次 {out.batch_id}（撤销：dangong batches undo {out.batch_id}）/ imported as batch {out.batch_id}")


@batches_app.command("list")
@friendly
def batches_list():
    """列出导入批次 / list import batches."""
    from sqlmodel import Session

    from dashboard.edits.ledger_import import list_batches

    with Session(_migrated_engine()) as session:
        batches = list_batches(session)
    if not batches:
        typer.echo("还没有导入批次 / no import yet")
        return
    typer.echo("批次\t时间(UTC)\t账号\t文件\t行数\t状态")
    for b in batches:
        state = f"已撤销 {b.undone_at:%Y-%m-%d %H:%M} {b.undone_by}" if b.undone_at else "有效"
        typer.echo(f"{b.id}\t{b.at:%Y-%m-%d %H:%M}\t{b.username}\t{b.filename}\t{b.rows:,}\t{state}")


@batches_app.command("undo")
@friendly
def batches_undo(
    batch: Annotated[int, typer.Argument(metavar="BATCH", help="批次号（只能撤销最新的一批）")],
):
    """撤销最新一批导入（其后台账未被修改时）/ undo the newest import batch."""
    from dashboard.edits import Actor, EditError
    from dashboard.edits.ledger_import import undo_batch
    from dashboard.i18n import t
    from models.db import session_scope
    from models.enums import Role

    try:
        with session_scope(_migrated_engine()) as session:
            counts = undo_batch(session, batch, actor=Actor(CLI_ACTOR, Role.ADMIN))
    except EditError as exc:
        raise CliError(f"{t(exc.key)} / {t(exc.key, 'en')}") from None
    typer.echo(f"已撤销批次 {batch} / batch {batch} undone: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


# --------------------------------------------------------------------------- push


def _push_config(path: Path | None):
    from dashboard.push.config import ConfigError, load
    from models.settings import get_settings

    try:
        return load(path or get_settings().push_config)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def cfg_channel(cfg, name: str):
    """The channel ``name`` of the push set-up; an unknown one is one sentence listing the others."""
    from dashboard.push.config import ConfigError

    try:
        return cfg.get(name)
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def _today(value: str | None) -> dt.date:
    if value is None:
        from dashboard.queries.dates import district_today

        return district_today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--today {value!r}: 日期格式应为 YYYY-MM-DD / the date must be YYYY-MM-DD") from None


def _print_report(report) -> None:
    for key in report.planned:
        typer.echo(f"计划 / planned   {key}")
    for key in report.sent:
        typer.echo(f"已发送 / sent    {key}")
    for key in report.skipped:
        typer.echo(f"无内容 / nothing {key}")
    for key, why in report.retrying:
        typer.echo(f"待重试 / retry   {key}: {why}")
    for key, why in report.failed:
        typer.secho(f"失败 / failed    {key}: {why}", err=True, fg=typer.colors.RED)
    if not (report.planned or report.sent or report.skipped or report.retrying or report.failed):
        typer.echo("没有到期的推送 / nothing due")


PushFile = Annotated[Path | None, typer.Option("--config", help="推送配置（TOML），默认 DANGONG_PUSH_CONFIG")]


@push_app.command("run")
@friendly
def push_run(config: PushFile = None,
             today: Annotated[str | None, typer.Option("--today", help="按此日期计划（测试用），默认今天")] = None):
    """执行当前到期的推送后退出（供 cron / systemd timer 调用）/ send what is due now, then exit."""
    from dashboard.push.run import run

    cfg = _push_config(config)
    day = _today(today)
    now = dt.datetime.now(dt.UTC)
    report = run(_migrated_engine(), cfg, now, today=day)
    _print_report(report)
    if report.failed:
        raise typer.Exit(2)


@push_app.command("send")
@friendly
def push_send(
    kind: Annotated[str, typer.Argument(help="brief | summary | reminder | escalation | test")],
    channel: Annotated[str, typer.Option("--channel", help="渠道名称 / channel name")],
    meeting: Annotated[str, typer.Option("--meeting", help="简报对应的会议：next 或会议编号 / next or a meeting id")] = "next",
    config: PushFile = None,
    today: Annotated[str | None, typer.Option("--today", help="数据截至日期，默认今天")] = None,
):
    """立即发送一条消息（记录在发送记录中）/ send one message now (recorded in the send log)."""
    from dashboard.push.config import ConfigError
    from dashboard.push.run import on_demand, send_now

    kinds = ("brief", "summary", "reminder", "escalation", "test")
    if kind not in kinds:
        raise CliError(f"未知的推送类型 {kind!r}（可选 {', '.join(kinds)}）/ unknown kind")
    if meeting != "next" and not meeting.isdigit():
        raise CliError(f"--meeting {meeting!r}: 应为 next 或会议编号 / next or a meeting id")
    cfg, day = _push_config(config), _today(today)
    cfg_channel(cfg, channel)
    try:
        report = send_now(_migrated_engine(), cfg, kind, channel, day,
                          params=on_demand(cfg, kind, day, meeting=meeting, by=CLI_ACTOR))
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    _print_report(report)
    if report.failed or report.retrying:
        raise typer.Exit(2)


@push_app.command("preview")
@friendly
def push_preview(
    out: Annotated[Path, typer.Argument(metavar="DIR", help="写入预览文件的目录 / directory for the preview files")],
    kind: Annotated[str | None, typer.Option("--kind", help="只预览一种：brief | summary | reminder | escalation | test")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="与 --kind 同用的渠道")] = None,
    meeting: Annotated[str, typer.Option("--meeting", help="简报对应的会议：next 或会议编号 / next or a meeting id")] = "next",
    config: PushFile = None,
    today: Annotated[str | None, typer.Option("--today", help="按此日期计划，默认今天")] = None,
):
    """写出将要发送的内容而不发送、不记录 / write what would be sent, without sending or recording."""
    from dashboard.push.config import ConfigError
    from dashboard.push.run import on_demand, preview

    if (kind is None) != (channel is None):
        raise CliError("--kind 与 --channel 需同时给出 / give --kind and --channel together")
    kinds = ("brief", "summary", "reminder", "escalation", "test")
    if kind is not None and kind not in kinds:
        raise CliError(f"未知的推送类型 {kind!r}（可选 {', '.join(kinds)}）/ unknown kind")
    if meeting != "next" and not meeting.isdigit():
        raise CliError(f"--meeting {meeting!r}: 应为 next 或会议编号 / next or a meeting id")
    cfg, day = _push_config(config), _today(today)
    if channel is not None:
        cfg_channel(cfg, channel)
    try:
        params = on_demand(cfg, kind, day, meeting=meeting, by=CLI_ACTOR) if kind else {}
        written = preview(_migrated_engine(), cfg, day, out, kind=kind, channel_name=channel, params=params)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    for path in written:
        typer.echo(str(path))
    if not written:
        typer.echo("今天没有计划的推送 / nothing planned for the day")


@push_app.command("log")
@friendly
def push_log(limit: Annotated[int, typer.Option("--limit", min=1, max=10000)] = 50):
    """发送记录（最新在前）/ the send log, newest first."""
    from dashboard.push.run import recent

    rows = recent(_migrated_engine(), limit)
    if not rows:
        typer.echo("尚无发送记录 / nothing sent yet")
        return
    typer.echo("时间(UTC)\t状态\t次数\t标识\t错误")
    for r in rows:
        typer.echo(f"{r['created_at']:%Y-%m-%d %H:%M}\t{r['status']}\t{r['attempts']}\t{r['key']}\t{r['last_error'] or ''}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
