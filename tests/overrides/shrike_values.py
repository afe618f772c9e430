"""Record what shrike 2.0.2 itself produces for a scenario: ``shrike-values.json``.

Run (needs the network once, to build shrike's venv like ``benchmarks/overrides_vs_shrike.py``)::

    python tests/overrides/shrike_values.py shrike-doc-eyeson shrike-doc-personal ...

For each case whose ``case.json`` names ``shrike_aml`` (the aml config shrike would be started
with, ``aml=NAME``), a copy of ``input/`` is given to shrike's own
``AMLPipelineHelperBase._check_if_spec_yaml_override_is_needed`` and ``_override_spec_yaml``
(configured from the pipeline as hydra would: ``aml``, ``module_loader``, ``tenant_overrides``,
the module manifest). The data of every spec it rewrote, and the text of every package file it
wrote, go to the case's ``shrike-values.json``; ``test_scenarios.py`` compares the staged
copies with them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).parents[2]
CASES = ROOT / "tests" / "scenarios" / "overrides"

RUNNER = textwrap.dedent(
    """
    import json, os, shutil, sys, tempfile
    import yaml
    from omegaconf import OmegaConf
    from shrike.pipeline.module_helper_base import AMLModuleLoaderBase
    from shrike.pipeline.pipeline_helper_base import AMLPipelineHelperBase

    src, pipeline_rel, aml_name = sys.argv[1], sys.argv[2], sys.argv[3]
    root = os.path.join(tempfile.mkdtemp(), "in")
    shutil.copytree(src, root)
    pipeline = os.path.join(root, pipeline_rel)
    cfg = yaml.safe_load(open(pipeline))
    config_dir = os.path.dirname(os.path.dirname(pipeline))
    aml = yaml.safe_load(open(os.path.join(config_dir, "aml", aml_name + ".yaml")))
    manifest = cfg.get("modules", {}).get("manifest")
    if manifest is None:
        name = [d["modules"] for d in cfg["defaults"] if isinstance(d, dict) and "modules" in d]
        path = os.path.join(config_dir, "modules", name[0] + ".yaml")
        manifest = yaml.safe_load(open(path))["manifest"]

    class Helper(AMLPipelineHelperBase):
        pass

    class Loader(AMLModuleLoaderBase):
        pass

    Helper.__abstractmethods__ = frozenset()
    Loader.__abstractmethods__ = frozenset()
    helper = object.__new__(Helper)
    helper.config = OmegaConf.create({
        "aml": {"tenant": aml["tenant"]},
        "run": {"config_dir": config_dir},
        "module_loader": cfg["module_loader"],
        "tenant_overrides": cfg["tenant_overrides"],
        "modules": {"manifest": manifest},
    })
    steps = os.path.join(os.path.dirname(pipeline), cfg["module_loader"]["local_steps_folder"])
    helper.config.module_loader.local_steps_folder = os.path.normpath(steps)
    helper.module_loader = Loader(helper.config)
    needed, mapping = helper._check_if_spec_yaml_override_is_needed()
    out = {"needed": needed}
    if needed:
        for _, spec, _, new_env in helper._override_spec_yaml(mapping):
            out[os.path.relpath(spec, root)] = yaml.safe_load(open(spec))
            if new_env:
                out[os.path.relpath(new_env, root)] = open(new_env).read()
    print(json.dumps(out, indent=1, sort_keys=True))
    """
)


def main(names: list[str]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from overrides_vs_shrike import shrike_python

    python = shrike_python()
    for name in names:
        case = CASES / name
        spec = json.loads((case / "case.json").read_text(encoding="utf-8"))
        pipeline = next(a for a in spec["args"] if a.endswith((".yaml", ".yml")))
        result = subprocess.run(
            [str(python), "-c", RUNNER, str(case / "input"), pipeline, spec["shrike_aml"]],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            sys.exit(f"{name}: shrike failed:\n{result.stderr[-3000:]}")
        (case / "shrike-values.json").write_text(result.stdout, encoding="utf-8")
        print(f"{name}: {len(result.stdout)} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
