# Copyright 2026 Mfg Integration Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The whole demo plant in one process: MES, QMS and PLM side by side."""

import dataclasses
import signal
import threading
from pathlib import Path

from . import mes, plm, qms
from .common import Endpoint, log_line

SYSTEMS = ("mes", "qms", "plm")


@dataclasses.dataclass
class PlantOptions:
    odoo_url: str
    state_dir: Path
    only: tuple = SYSTEMS
    ports: dict = dataclasses.field(
        default_factory=lambda: {"mes": mes.PORT, "qms": qms.PORT, "plm": plm.PORT}
    )
    forward_interval: float = 2.0
    mes_options: mes.MesOptions = dataclasses.field(default_factory=mes.MesOptions)
    qms_options: qms.QmsOptions = dataclasses.field(default_factory=qms.QmsOptions)
    plm_steps: list = dataclasses.field(default_factory=list)


def endpoint(options, module, key):
    """The published demo credentials of one system (``module``)."""
    return Endpoint(
        odoo_url=options.odoo_url,
        token=module.TOKEN,
        secret=module.SECRET,
        source=module.SOURCE,
        state_dir=Path(options.state_dir),
        port=options.ports.get(key),
        connector_secret=module.CONNECTOR_SECRET,
        forward_interval=options.forward_interval,
    )


def build(options):
    """The systems of the plant named in ``options.only``, not started."""
    factories = {
        "mes": lambda: mes.MesSimulator(
            endpoint(options, mes, "mes"), options.mes_options
        ),
        "qms": lambda: qms.QmsSimulator(
            endpoint(options, qms, "qms"), options.qms_options
        ),
        "plm": lambda: plm.PlmSimulator(
            endpoint(options, plm, "plm"), options.plm_steps
        ),
    }
    systems = []
    try:
        for key in SYSTEMS:
            if key in options.only:
                systems.append(factories[key]())
    except BaseException:
        # A port in use, say: free what the others already hold.
        for system in systems:
            system.close()
        raise
    return systems


def run(options, stop_event=None):
    """Run the plant until SIGINT/SIGTERM (or ``stop_event``), then shut it
    down cleanly: receivers first, then a last flush of each buffer."""
    stop_event = stop_event or threading.Event()
    _on_signals(stop_event)
    systems = build(options)
    started = []
    try:
        for system in systems:
            started.append(system.start())
        log_line("---", "plant running", options.odoo_url, "Ctrl-C stops it")
        while not stop_event.wait(0.5):
            pass
    finally:
        log_line("---", "plant stopping")
        for system in reversed(systems):
            if system in started:
                system.stop()
            else:
                system.close()
    return 0


def _on_signals(stop_event):
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stop_event.set())
