"""gkxl schema: the JSON Schema of the report data, or of the form specs themselves."""
from __future__ import annotations

import click

from gkxl.cli.policy import lang_option, spec_of, spec_option, stops


@click.command()
@spec_option
@click.option("--form", is_flag=True, help="打印表格格式本身的 JSON Schema / print the schema of form specs")
@lang_option
@click.pass_context
def schema(ctx, spec_name, form):
    """打印报表数据（JSON）的 JSON Schema。

    \b
    gkxl schema > gk2021.schema.json
    gkxl schema --form
    """
    from gkxl.form.model import json_schema
    from gkxl.form.spec import meta_schema
    from gkxl.text.jsonout import dumps
    with stops(ctx):
        click.echo(dumps(meta_schema() if form else json_schema(spec_of(spec_name))))
