"""The command line: parse options, build objects, run, return an exit code.

Only this package imports click. Each command lives in a module that is imported
when the command runs, so ``hvbpa --help`` loads click and this file only.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import click

from hvbpa import __version__
from hvbpa.cli.common import LANG_META, die, internal_error, interrupted, lang_in, os_error
from hvbpa.cli.index import COMMANDS, CONFIG_HELP, EXIT_CODES_HELP, LANG_HELP, LANG_NAMES, MAIN_HELP, MAX_WIDTH


class LazyGroup(click.Group):
    """Imports a command's module only when that command is run or asked for help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name][0].partition(":")
        command: click.Command = getattr(import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's standalone mode, with its usage errors in hvbpa's one-line form.

        click prints a usage block and a hint over three lines; hvbpa prints every error
        as ``hvbpa: error: ...`` on one line (keeping click's "did you mean"), and any
        exception that escapes is a bug: one line, exit 4.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # `hvbpa` alone: the help, as click prints it
            raise SystemExit(exc.exit_code) from None
        except click.ClickException as exc:
            # Always 2: click's own ClickException would exit 1, and 1 means findings.
            # The language: a --lang on the command line, else the run's (set before the
            # command's options were parsed: HVBPA_LANG, the settings file), else the locale.
            found = getattr(exc, "ctx", None)
            run_lang = found.meta.get(LANG_META) if isinstance(found, click.Context) else None
            lang = lang_in(sys.argv[1:] if args is None else list(args)) or run_lang
            die(" ".join(exc.format_message().split()), lang=lang)
        except (click.exceptions.Abort, KeyboardInterrupt):
            interrupted()
        except OSError as exc:
            die(os_error(exc))
        except Exception as exc:
            internal_error(exc)
        raise SystemExit(result if isinstance(result, int) else 0)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": MAX_WIDTH},
    epilog=EXIT_CODES_HELP,
    help=MAIN_HELP,
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HVBPA_CONFIG",
    metavar="PATH",
    help=CONFIG_HELP,
)
@click.option("--lang", type=click.Choice(LANG_NAMES), default=None, help=LANG_HELP)
@click.version_option(__version__, "-V", "--version", prog_name="hvbpa")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, lang: str | None) -> None:
    if ctx.resilient_parsing:
        return
    from hvbpa.config import load_config
    from hvbpa.errors import ConfigError

    try:
        config = load_config(Path.cwd(), os.environ, config_path)
    except ConfigError as exc:
        die(str(exc))
    commands: dict[str, Any] = {}
    if config:
        commands = dict.fromkeys(("scan", "evaluate", "demo"), config)
        commands["report"] = {"merge": config}
    chosen = lang or config.get("lang")
    if isinstance(chosen, str):
        # One language for the whole run, wherever it was chosen: `hvbpa --lang ko rules list`
        # and HVBPA_LANG reach every command with a --lang, and the CLI's own messages.
        ctx.meta[LANG_META] = chosen
        _lang_default(ctx, commands, chosen)
    ctx.default_map = commands or None


def _lang_default(ctx: click.Context, commands: dict[str, Any], lang: str) -> None:
    """The language as the default --lang of the command being run (and of its subcommands)."""
    name, group = ctx.invoked_subcommand, ctx.command
    command = group.get_command(ctx, name) if name and isinstance(group, click.Group) else None
    if command is None or name is None:
        return
    entry = {**commands.get(name, {}), "lang": lang}
    if isinstance(command, click.Group):
        for sub in command.list_commands(ctx):
            entry[sub] = {**entry.get(sub, {}), "lang": lang}
    commands[name] = entry
