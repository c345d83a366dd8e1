"""The steps of a case's life (签收 … 办结), each a key that opens its dialog.

`StepsMixin` gives a screen one action per step. On a screen showing one case the footer
fits the case, from the store's answer on its card (`CaseCard.steps`, computed by
`store.steps`; the screen keeps no rule of its own): a key that does not fit its role
(汇办意见 on a 主办 case, 答复 on a 汇办 case) is left out, a step that cannot be taken yet
(答复 before 签收, 催办 before 分派) is dimmed — and either, pressed anyway, shows the store's
sentence saying why and what comes first instead of opening a form that cannot be saved.
The store checks again when the dialog saves, and its refusal — a date out of order, or a
case changed at another workstation since the user looked (the dialog saves with the
version the user saw) — is shown in the dialog, fields kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from textual.binding import Binding

from store import actions, queries, steps
from store.errors import LedgerError, VersionConflict
from store.queries import CaseCard
from tui.dialogs.adjustment import AdjustmentDialog
from tui.dialogs.adjustment_result import AdjustmentResultDialog
from tui.dialogs.assign import AssignDialog
from tui.dialogs.chase_form import ChaseFormDialog
from tui.dialogs.close import CloseDialog
from tui.dialogs.contact import ContactDialog
from tui.dialogs.disclosure import DisclosureDialog
from tui.dialogs.evaluation import EvaluationDialog
from tui.dialogs.extend import ExtendDialog
from tui.dialogs.opinion import OpinionDialog
from tui.dialogs.reply import ReplyDialog
from tui.dialogs.review import ReviewDialog
from tui.dialogs.send_form import SendFormDialog
from tui.dialogs.sign_for import SignForDialog
from tui.dialogs.typical import TypicalDialog
from tui.dialogs.unit_opinion import UnitOpinionDialog
from tui.dialogs.unit_urge import UnitUrgeDialog


@dataclass(frozen=True)
class Step:
    """One step: its name (the store's step key, `store.steps.STEP_NAMES`), key, words and
    the store function that takes it."""

    name: str
    key: str
    label: str
    tooltip: str
    function: str  # in store.actions
    show: bool = False  # in the footer (every step is in `?`)


STEPS: tuple[Step, ...] = (
    Step("sign", "s", "签收", "签收该件（须在签收期限内）", "sign_for", show=True),
    Step("adjust", "t", "申请调整", "不属本局职责：在签收期限内申请调整，写明理由", "request_adjustment"),
    Step("adjustment_result", "a", "调整结果", "登记交办机关对申请调整的答复", "record_adjustment_result"),
    Step("assign", "p", "分派", "分派到处室、岗位、责任人，定分管局领导、局领导领办和重点/难点/热点", "assign", show=True),
    Step("contact", "c", "沟通", "记录与代表/委员的沟通：方式、阶段、参加人员、情况", "log_follow_up", show=True),
    Step("opinion", "h", "汇办意见", "登记报送主办单位的汇办意见（汇办件）", "record_opinion_sent", show=True),
    Step("unit_opinion", "i", "单位意见", "登记会办单位报来的意见（主办件）或其他单位的分办答复（分办件）",
         "record_unit_opinion", show=True),
    Step("unit_urge", "U", "单位催办", "催办尚未报送意见的会办单位：说明和反馈期限", "urge_unit"),
    Step("extend", "e", "延期", "答复期限延期：理由、批准情况、新期限（不超过规定上限）", "extend"),
    Step("reply", "r", "答复", "登记书面答复：日期、文号、A–D类别、摘要、签发人（重新办理时登记重新答复）", "reply", show=True),
    Step("evaluate", "v", "评价",
         "登记代表评价（征询意见表收回）：办理工作、办理结果各为满意、基本满意或不满意（办理结果不满意则重新办理）",
         "record_evaluation", show=True),
    Step("form_send", "j", "送征询表", "登记送出征询意见表：日期、方式（随答复、当面送达、电子）、持表人", "send_form"),
    Step("form_chase", "J", "催收征询表", "催收尚未收回的征询意见表", "chase_form"),
    Step("disclose", "g", "公开", "登记答复是否公开：公开、部分公开或不公开（附理由）", "record_disclosure"),
    Step("review", "b", "回头看", "回头看：落实情况和下次回头看日期", "record_review"),
    Step("typical", "y", "典型案例", "标为典型案例（写入工作总结的典型案例部分），或取消标记", "mark_typical"),
    Step("close", "k", "办结", "办结该件", "close", show=True),
)
STEP = {step.name: step for step in STEPS}

DIALOGS = {
    "sign": SignForDialog,
    "adjust": AdjustmentDialog,
    "adjustment_result": AdjustmentResultDialog,
    "contact": ContactDialog,
    "opinion": OpinionDialog,
    "evaluate": EvaluationDialog,
    "disclose": DisclosureDialog,
    "review": ReviewDialog,
    "close": CloseDialog,
    "unit_opinion": UnitOpinionDialog,
    "unit_urge": UnitUrgeDialog,
    "form_send": SendFormDialog,
    "form_chase": ChaseFormDialog,
    "typical": TypicalDialog,
}
"""The dialogs that need nothing but the case; 分派, 延期 and 答复 read more first (单位意见 on a
分办 case saves through `record_split_reply`: the other unit's own reply)."""

CONFLICT_AGAIN = "已载入该件的最新版本，您填写的内容都在：核对上述变化后，仍要保存请再按 ctrl+s，放弃请按 esc。"


def step_bindings(prefix: str) -> list[Binding]:
    """Each step's key, and under it the same key when the step is refused: that one says why."""
    bindings = []
    for step in STEPS:
        bindings.append(Binding(step.key, f"step('{step.name}')", step.label, show=step.show,
                                id=f"{prefix}.{step.name}", tooltip=step.tooltip))
        bindings.append(Binding(step.key, f"refused('{step.name}')", step.label, show=False,
                                id=f"{prefix}.{step.name}.refused", tooltip=f"{step.tooltip}（本件现在不能，按下说明原因）"))
    return bindings


PLAIN_STEPS = {"urge": "urge", "follow_up": "follow_up"}
"""Keys of `ActingMixin` (u 催办, f 跟进) that are steps too: the footer fits them as well."""


class StepsMixin:
    """One action per step, on the case the screen points at (with `ActingMixin`'s `write`).

    A screen showing one case returns it from `card_for_keys()`, so that the footer fits it.
    """

    def speak_keys(self, body: str) -> None:
        """Word the keys for the case's body: on a 政协 case 汇办意见 is 会办意见 and 代表评价 is
        委员评价 (footer, `?` and tooltips alike); this screen's own copy of the bindings only."""
        from dataclasses import replace

        from store.vocabulary import words

        said = words(body)
        terms = {"汇办意见": said.opinion, "汇办件": f"{said.contributing}件", "代表评价": said.evaluation}

        def worded(text: str | None) -> str | None:
            for npc, own in terms.items():
                text = text.replace(npc, own) if text else text
            return text

        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=worded(b.description), tooltip=worded(b.tooltip)) for b in bindings]

    def card_for_keys(self) -> CaseCard | None:
        """The case the keys are judged against (None: offer every key; the store decides)."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The store's answer on the card: True offers the key, None dims it, False hides it;
        the same key's `refused` binding is live exactly when the step is not possible."""
        if action == "refused" and parameters:
            card = self.card_for_keys()
            return card is not None and card.steps.get(str(parameters[0])) is not None
        if action == "step" and parameters:
            step = STEP.get(str(parameters[0]))
            if step is None or step.function not in vars(actions):
                return False  # a step this store does not offer
            card = self.card_for_keys()
            if card is None:
                return True
            if step.name in card.hidden_steps:
                return False  # hidden: the same key's `refused` says why
            return None if card.steps.get(step.name) else True  # dimmed, likewise
        if action in PLAIN_STEPS:
            card = self.card_for_keys()
            if card is not None and card.steps.get(PLAIN_STEPS[action]):
                return None
        return super().check_action(action, parameters)

    async def step_card(self) -> CaseCard | None:
        """The case to act on, as the user sees it (read afresh when the screen holds a row)."""
        case = self._target()
        if case is None or isinstance(case, CaseCard):
            return case
        try:
            card = await self.app.gateway.call(queries.case_card, case.case_id, today=self.app.ledger.today)
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return None
        if card is None:
            self.app.say("找不到该件，可能已被其他工作站更改。", error=True)
        return card

    async def action_step(self, name: str) -> None:
        step = STEP[name]
        card = await self.step_card()
        if card is None:
            return
        reason = card.steps.get(name)
        if reason:
            self.app.say(reason, error=True, title=f"不能{step.label}")
            return
        try:
            dialog = await self.step_dialog(step, card, self.step_submitter(step, card))
        except LedgerError as exc:
            self.app.say(exc.message, error=True)
            return
        if dialog is not None:
            self.app.push_screen(dialog)

    async def action_refused(self, name: str) -> None:
        """A key whose step is not possible now: the store's sentence saying why."""
        if name in STEP:
            await self.action_step(name)
            return
        card = self.card_for_keys()
        reason = card.steps.get(name) if card is not None else None
        if reason:
            self.app.say(reason, error=True, title=f"不能{steps.STEP_NAMES.get(name, '')}")

    async def step_dialog(self, step: Step, card: CaseCard, submit):
        """The step's dialog, with what it needs read from the store first (off the UI thread)."""
        gateway = self.app.gateway
        if step.name == "assign":
            divisions = await gateway.call(queries.divisions)  # current ones only: a retired one is not offered
            if not divisions:
                self.app.say("台账里还没有在用的处室，无法分派。请先在台账按 p（处室人员）录入处室和人员。", error=True,
                             title="不能分派")
                return None
            return AssignDialog(card, divisions, await gateway.call(queries.people), submit=submit,
                                add_person=self.add_person_in_place)
        if step.name == "extend":
            terms = await gateway.call(steps.case_extension_terms, card.id, self.app.ledger.today)
            if terms is None:
                self.app.say("找不到该件，可能已被其他工作站更改。", error=True)
                return None
            return ExtendDialog(card, terms, submit=submit)
        if step.name == "reply":
            people = await gateway.call(queries.people)
            signer = next((p.name for p in people if p.title == "局长"), "")
            return ReplyDialog(card, submit=submit, signer=signer)
        if step.name == "unit_opinion" and card.role == "分办":  # the same key notes another unit's own reply
            submit = self.step_submitter(replace(step, function="record_split_reply"), card)
        return DIALOGS[step.name](card, submit=submit)

    async def add_person_in_place(self, values: dict[str, Any]):
        """分派 dialog's ctrl+n: save a new person (store.office); return their id and the current staff."""
        from store import office

        gateway = self.app.gateway
        saved = await gateway.call(office.add_person, self.app.operator, values["name"],
                                   division_id=values["division_id"], title=values["title"], post=values["post"],
                                   phone=values["phone"], note=values["note"])
        self.app.say(saved.message)
        return saved.id, await gateway.call(queries.people)

    def step_submitter(self, step: Step, card: CaseCard):
        """Save with the version the user saw; after a conflict, the next save is a knowing one."""
        seen = {"version": card.version}

        async def submit(values: dict[str, Any]):
            function = getattr(actions, step.function)
            try:
                return await self.write(function, card.id, values | {"expected_version": seen["version"]})
            except VersionConflict as exc:
                fresh = await self.app.gateway.call(queries.case_card, card.id)
                if fresh is not None:
                    seen["version"] = fresh.version
                raise LedgerError(f"{exc.message}\n{CONFLICT_AGAIN}") from exc

        return submit
