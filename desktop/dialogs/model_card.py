"""A bundle's model card, as the bundle ships it, in a browser that follows no links.

The card's HTML (or Markdown) file is read on the workspace executor and checked
against the sha256 the manifest lists before it is shown; without such a file, or
without a way to read it, the structured card kept in the manifest is shown instead.
Links are never followed: clicking one says where it points, so the person decides
whether to open it elsewhere. Nothing is fetched from the network or the disk for the
page (images and other resources are refused).
"""

from __future__ import annotations

import hashlib
import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.common import InlineMessage, Submit, report_unexpected, tr
from desktop.tasks import TaskControl
from engine.workspace import Workspace

log = logging.getLogger(__name__)

MAX_CARD_BYTES = 2 * 1024 * 1024


class CardBrowser(QTextBrowser):
    """A QTextBrowser that loads no resource and opens no link by itself."""

    link_refused = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)

    def loadResource(self, kind: int, name: QUrl) -> Any:
        log.debug("model card resource refused: %s", name.toString())
        return None

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "" and url.hasFragment():
            self.scrollToAnchor(url.fragment())
            return
        self.link_refused.emit(url)


class ModelCardDialog(QDialog):
    """Show the model card of ``bundle`` (a ``desktop.queries.BundleSummary``)."""

    def __init__(
        self,
        bundle: Any = None,
        parent: QWidget | None = None,
        *,
        manifest: dict[str, Any] | None = None,
        submit: Submit | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelCardDialog")
        self.manifest: dict[str, Any] = dict(
            manifest or getattr(bundle, "manifest", None) or {}
        )
        self.bundle = bundle
        self.source = "manifest"  # or the card file's name, once read
        name = _card(self.manifest).get("title") or self.manifest.get("id", "")
        self.setWindowTitle(tr("Model card: {name}").replace("{name}", str(name)))

        self.summary = QLabel(self._summary_text(), self)
        self.summary.setWordWrap(True)
        self.browser = CardBrowser(self)
        self.browser.setObjectName("cardBrowser")
        self.browser.link_refused.connect(self._on_link_refused)
        self.link_note = InlineMessage(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close"))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.link_note)
        layout.addWidget(buttons)
        self.resize(760, 640)

        self.show_structured_card()
        folder = getattr(bundle, "path", None)
        if submit is not None and folder:
            self._read_file(submit, str(folder))

    def _summary_text(self) -> str:
        manifest = self.manifest
        if not manifest:
            return tr("This bundle carries no model card.")
        return (
            tr("Bundle {id}, release {release}; valid until {until}.")
            .replace("{id}", str(manifest.get("id", "?")))
            .replace("{release}", str(manifest.get("release", "?")))
            .replace("{until}", str(manifest.get("valid_until", "?"))[:10])
        )

    # Filling the browser ----------------------------------------------------------

    def show_structured_card(self) -> None:
        """The card from the manifest's structured fields, escaped."""
        self.browser.setHtml(structured_card_html(_card(self.manifest)))
        self.source = "manifest"

    def _read_file(self, submit: Submit, folder: str) -> None:
        files = dict(self.manifest.get("files") or {})

        def read(workspace: Workspace, _control: TaskControl) -> tuple[str, str] | None:
            base = Path(folder)
            if not base.is_absolute():
                base = workspace.folder / base
            return read_card_file(base, files)

        submit("model_card.read", read, self._file_read, on_error=self._read_failed)

    def _file_read(self, found: tuple[str, str] | None) -> None:
        if found is None:
            return
        name, text = found
        if name.endswith(".md"):
            self.browser.setMarkdown(text)
        else:
            self.browser.setHtml(text)
        self.source = name

    def _read_failed(self, error: BaseException) -> None:
        report_unexpected(error, "reading a model card")

    @Slot(QUrl)
    def _on_link_refused(self, url: QUrl) -> None:
        address = url.toString()
        QGuiApplication.clipboard().setText(address)
        self.link_note.show_note(
            tr(
                "Links are not opened from here. The address was copied, so you can "
                "open it yourself if you trust it: {url}"
            ).replace("{url}", address)
        )


def read_card_file(folder: Path, files: dict[str, str]) -> tuple[str, str] | None:
    """The card file the bundle lists (HTML first, then Markdown), if it is intact.

    A file whose sha256 differs from the manifest's is not shown (the structured
    card stays); that bundle's gate reports the change.
    """
    names = sorted(
        (name for name in files if "card" in name.lower()),
        key=lambda name: (not name.endswith(".html"), not name.endswith(".md"), name),
    )
    for name in names:
        if not name.endswith((".html", ".htm", ".md")):
            continue
        path = folder / name
        try:
            if path.stat().st_size > MAX_CARD_BYTES:
                log.warning("model card %s is too large to show", path)
                continue
            raw = path.read_bytes()
        except OSError as err:
            log.warning("model card %s cannot be read: %s", path, err)
            continue
        if hashlib.sha256(raw).hexdigest() != files[name]:
            log.warning("model card %s differs from its manifest digest", path)
            continue
        return name, raw.decode("utf-8", errors="replace")
    return None


def _card(manifest: dict[str, Any]) -> dict[str, Any]:
    card = manifest.get("model_card")
    return card if isinstance(card, dict) else {}


def structured_card_html(card: dict[str, Any]) -> str:
    """A plain page from the structured card: every field that is there, escaped."""
    if not card:
        return "<p>" + html.escape(tr("This bundle carries no model card.")) + "</p>"
    esc = html.escape
    parts: list[str] = []
    if card.get("title"):
        parts.append(f"<h1>{esc(str(card['title']))}</h1>")
    if card.get("summary"):
        parts.append(f"<p>{esc(str(card['summary']))}</p>")
    for key, value in card.items():
        if key in ("title", "summary") or value in (None, "", [], {}):
            continue
        parts.append(f"<h2>{esc(key.replace('_', ' ').capitalize())}</h2>")
        parts.append(_value_html(value))
    return "\n".join(parts)


def _value_html(value: Any) -> str:
    esc = html.escape
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_value_html(v)}</li>" for v in value) + "</ul>"
    if isinstance(value, dict):
        rows = "".join(
            f"<li><b>{esc(str(k).replace('_', ' '))}:</b> {_value_html(v)}</li>"
            for k, v in value.items()
        )
        return f"<ul>{rows}</ul>"
    return esc(str(value))
