"""The ``dangong`` command: database, demo and scale data, information.

Errors are one clear sentence on stderr and exit code 1; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import time
from typing import Annotated, Callable, Optional

import sqlalchemy as sa
import typer

app = typer.Typer(help="党工共建驾驶舱命令行 / dangong dashboard command line", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
db_app = typer.Typer(help="数据库迁移 / database migrations", no_args_is_help=True)
seed_app = typer.Typer(help="演示数据与规模数据 / demo and scale data", invoke_without_command=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")

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
        from models.db import DatabaseError, mask_url

        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - this is the CLI's last line of defence
            if _state["debug"]:
                raise
            if isinstance(exc, sa.exc.OperationalError):
                msg = f"无法访问数据库（{str(exc.orig).strip().splitlines()[0]}）；请检查 DANGONG_DATABASE_URL"
            elif isinstance(exc, sa.exc.ArgumentError):
                msg = f"数据库地址无效：{exc}"
            elif isinstance(exc, (DatabaseError, CliError)) or type(exc).__name__ in ("DemoError", "ScaleError"):
                msg = str(exc)
            else:
                msg = f"{type(exc).__name__}: {exc}（加 --debug 查看详情 / add --debug for details）"
            _fail(msg)

    return wrapper


@app.callback()
def main_callback(debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整堆栈 / show tracebacks")] = False):
    _state["debug"] = debug


def _engine():
    from models.db import make_engine

    return make_engine()


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

    engine = _engine()
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


# --------------------------------------------------------------------------- seed


def _progress_printer(prefix: str):
    start = time.monotonic()

    def progress(stage: str, done: int, total: int | None = None) -> None:
        elapsed = time.monotonic() - start
        of = f"/{total:,}" if total else ""
        typer.echo(f"  [{elapsed:6.1f}s] {prefix} {stage}: {done:,}{of}", err=True)

    return progress


@seed_app.callback()
@friendly
def seed_callback(
    ctx: typer.Context,
    scale: Annotated[Optional[int], typer.Option("--scale", min=1, help="写入 N 家合成企业（需空库）/ write N synthetic enterprises")] = None,
    seed: Annotated[int, typer.Option(help="随机种子 / random seed")] = 7,
    batch_size: Annotated[int, typer.Option(min=100, help="批量插入的行数 / rows per batch")] = 50_000,
):
    """演示数据（seed demo）或规模测试数据（seed --scale N）。"""
    if ctx.invoked_subcommand is not None:
        if scale is not None:
            raise CliError("--scale 不能与子命令同时使用 / --scale cannot be combined with a subcommand")
        return
    if scale is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from seed_data.scale import generate_scale

    engine = _migrated_engine()
    t0 = time.monotonic()
    progress = _progress_printer("scale")
    counts = generate_scale(engine, scale, seed=seed, batch_size=batch_size, progress=progress)
    from models.summary import rebuild_summaries

    counts |= rebuild_summaries(engine, progress=progress)
    typer.echo(f"已写入 {scale:,} 家合成企业，用时 {time.monotonic() - t0:.1f} 秒 / wrote {scale:,} enterprises")
    for table, n in sorted(counts.items()):
        typer.echo(f"  {table:28s} {n:>12,}")


@seed_app.command("demo")
@friendly
def seed_demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="库中已有数据时跳过而不报错 / skip quietly when data exists")] = False,
    seed: Annotated[Optional[int], typer.Option(help="随机种子（默认取设置 demo_seed）")] = None,
    today: Annotated[Optional[str], typer.Option(help="故事截止日期 YYYY-MM-DD（默认今天）")] = None,
):
    """写入演示区数据（越北镇与四家典型企业来自原文，其余为虚构）/ write the demo district."""
    from models.settings import get_settings
    from seed_data.demo import database_is_empty, write_demo

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
            return
        raise CliError("数据库中已有数据，未写入演示数据；请使用空数据库 / the database is not empty")
    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise CliError(f"日期格式错误：“{today}”，应为 YYYY-MM-DD") from None
    seed = get_settings().demo_seed if seed is None else seed
    counts = write_demo(engine, seed=seed, today=day, progress=lambda t, n: typer.echo(f"  {t}: {n:,}", err=True))
    typer.echo(f"演示数据已写入（种子 {seed}，截至 {day}）：{counts.get('enterprise', 0)} 家企业 / demo written")


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


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
