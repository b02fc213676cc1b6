"""fieldcast's translations: one catalogue per language, looked up in any context.

``pyside6-lupdate`` files every string passed to a module-level ``tr()`` helper under
the empty context, whatever context that helper names at run time ("Errors",
"UnitsModel", ...). ``FallbackTranslator`` therefore looks a string up in its own
context first and then in the empty one, so every module's strings are found. The
catalogues live in ``resources/translations`` (``make translations`` rebuilds them).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parents[1] / "resources" / "translations"
CATALOGUE = "fieldcast"


class FallbackTranslator(QTranslator):
    """A QTranslator that falls back to the empty context lupdate gives ``tr()``."""

    def translate(
        self,
        context: str,
        source: str,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str:
        found = super().translate(context, source, disambiguation, n)
        if not found and context:
            found = super().translate("", source, disambiguation, n)
        return found


def fieldcast_translator(
    locale: QLocale, parent: QObject | None = None
) -> FallbackTranslator | None:
    """fieldcast's catalogue for ``locale``, or None (English is the source)."""
    translator = FallbackTranslator(parent)
    if translator.load(locale, CATALOGUE, "_", str(TRANSLATIONS)):
        log.debug("loaded %s", translator.filePath())
        return translator
    return None
