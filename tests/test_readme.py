"""The README's examples are checked: its >>> lines run as doctests, its journey YAML loads."""

import doctest
import re
from pathlib import Path

import yaml

from cxlens.ingest.journeys import parse_journeys

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_doctests_pass():
    parser = doctest.DocTestParser()
    test = parser.get_doctest(README, {}, "README.md", "README.md", 0)
    assert test.examples, "the README should show its Python examples with >>>"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_readme_journey_example_is_valid():
    block = re.search(r"```yaml\n(journeys:.*?)```", README, re.S).group(1)
    jmap = parse_journeys(yaml.safe_load(block), "README.md")
    assert jmap.touchpoint_keys() == ["support-chat"]
    assert jmap.surveys[0].scale == (1, 5)
