from pathlib import Path

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.discover import discover
from envyard.assets.tags.scan import substitute
from envyard.assets.tags.spec import SPEC_TAGS, spec_tag_values

from .conftest import env_asset


def test_every_spec_tag_has_a_value(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    env_asset(tmp_path, "demo-debian11", folder="envs/demo", location="mcr")
    asset = discover([tmp_path], tmp_path).assets[0]
    settings = AssetSettings(publish_hostnames={"mcr": "mcr.microsoft.com"})
    values = spec_tag_values(asset, settings, version="4", repo_url="https://git/x", commit="abc")
    assert set(values) == set(SPEC_TAGS)
    assert values == {
        "asset.name": "demo-debian11",
        "asset.version": "4",
        "asset.repo.url": "https://git/x",
        "asset.repo.commit_hash": "abc",
        "asset.repo.build_context.path": "envs/demo/context",
        "image.name": "azureml/curated/demo-debian11",
        "image.context.path": "context",
        "image.dockerfile.path": "Dockerfile",
        "image.publish.hostname": "mcr.microsoft.com",
    }
    spec = (asset.dir / "spec.yaml").read_text(encoding="utf-8")
    rendered = substitute(spec, "spec.yaml", values)
    assert 'name: "demo-debian11"' in rendered
    assert 'path: "envs/demo/context"' in rendered
