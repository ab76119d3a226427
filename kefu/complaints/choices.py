"""Choices for the complaint procedure — 客户投诉处理办法 (CMP-1..5, CMP-9..11).

Labels are the regulations' own words ([000] 篇二 客户投诉处理办法): they are printed on the
客户投诉记录卡 and the 投诉调查报告, and read in lists, filters, statistics and the timeline.
"""

from __future__ import annotations

from django.db import models


class ComplainantType(models.TextChoices):
    """投诉客户类型 (CMP-1, 第一条): 终端消费者、代理商、加盟商.

    The values are those of ``customers.CustomerType`` so a complaint can take the customer's type.
    """

    CONSUMER = "consumer", "终端消费者"
    DISTRIBUTOR = "distributor", "代理商"
    FRANCHISEE = "franchisee", "加盟商"


class Ground(models.TextChoices):
    """投诉范围 (CMP-1, 第三条 客户的正当投诉范围), plus the service complaint of CMP-11.

    ``SERVICE`` is not in 第三条's list of product grounds; it is the complaint "因服务原因投诉某客服"
    of [000] 篇三 and [001], which the same procedure records and CMP-11 fines.
    """

    QUALITY_DEFECT = "quality_defect", "产品在品质上有缺陷"
    DELIVERY_TIME = "delivery_time", "产品的交期"
    SPEC_MISMATCH = "spec_mismatch", "产品规格、等级、数量等与合同规定或与货物清单不符"
    TOLERANCE_EXCEEDED = "tolerance_exceeded", "产品技术规格超过允许误差范围"
    TRANSPORT_DAMAGE = "transport_damage", "产品在运输途中受到损害"
    PACKING_DAMAGE = "packing_damage", "因包装不良造成损坏"
    OTHER = "other", "存在其他品质问题或违反合同问题"
    SERVICE = "service", "因服务原因投诉客服"


class Demand(models.TextChoices):
    """客户要求 (CMP-2, 第二条): 减价、退货、换货、损害赔偿、批评建议."""

    PRICE_REDUCTION = "price_reduction", "减价"
    RETURN = "return", "退货"
    EXCHANGE = "exchange", "换货"
    COMPENSATION = "compensation", "损害赔偿"
    CRITICISM_SUGGESTION = "criticism_suggestion", "批评建议"


class Route(models.TextChoices):
    """处理途径 (CMP-4, 第八条): where an accepted complaint goes.

    * 质量缺陷、规格数量与合同不符、超过技术误差 → 送行政人事部, which names the investigating
      department (第九条);
    * 纯属合同纠纷 → the card with a handling opinion goes to the company's leadership to decide;
    * 发货手续问题 → handled by the sales procedure (依照内销处理办法).
    """

    INVESTIGATION = "investigation", "送行政人事部确定受理部门调查"
    LEADERSHIP = "leadership", "合同纠纷，送公司领导裁定"
    SALES_PROCEDURE = "sales_procedure", "发货手续问题，依照内销处理办法处理"


class ProcedureStatus(models.TextChoices):
    """投诉处理环节 (CMP-3..5): where a complaint stands. See procedure.py for the flow."""

    RECORDED = "recorded", "待受理"
    ROUTING = "routing", "待分派"
    INVESTIGATING = "investigating", "调查中"
    DEPT_HEAD_REVIEW = "dept_head_review", "待部门负责人审核"
    HR_REVIEW = "hr_review", "待行政人事部审核"
    GM_REVIEW = "gm_review", "待总经理批阅"
    HANDLING_OPINION = "handling_opinion", "待形成处理意见"
    SUPERVISOR_REVIEW = "supervisor_review", "待主管审核"
    LEADERSHIP_DECISION = "leadership_decision", "待领导裁定"
    REPLY = "reply", "待答复客户"
    CLOSED = "closed", "已结案"


OPEN_STATUSES: frozenset[str] = frozenset(s.value for s in ProcedureStatus) - {
    ProcedureStatus.CLOSED.value
}


class ApprovalStep(models.TextChoices):
    """审核环节 (CMP-5, 第十一至十四条): the approval chain, in order, of an investigation."""

    DEPT_HEAD = "dept_head", "受理部门负责人审核"
    HR = "hr", "行政人事部审核"
    GM = "gm", "总经理批阅"
    SUPERVISOR = "supervisor", "主管审核处理意见"


# The approval chain of the 投诉调查报告, in order (第十一、十二条); the handling opinion is then
# reviewed by the supervisor (第十三条).
REPORT_CHAIN: tuple[str, ...] = (
    ApprovalStep.DEPT_HEAD.value,
    ApprovalStep.HR.value,
    ApprovalStep.GM.value,
)
FULL_CHAIN: tuple[str, ...] = (*REPORT_CHAIN, ApprovalStep.SUPERVISOR.value)


class StepDecision(models.TextChoices):
    """审核意见: every step row says what was done at the step."""

    DONE = "done", "完成"
    APPROVE = "approve", "同意"
    RETURN = "return", "退回"


class ReplyVia(models.TextChoices):
    """答复方式 (CMP-5, 第十四条 由客服以书面或者口头形式答复客户)."""

    WRITTEN = "written", "书面答复"
    PHONE = "phone", "电话答复"


class SanctionTrigger(models.TextChoices):
    """客户投诉行政处分判定项目 (CMP-10, 第二十三条), the 14 items in the regulation's words."""

    DOCUMENT_ERROR = "document_error", "因票据错误或附样等资料错误遭客户投诉"
    FINANCIAL_ERROR = "financial_error", "因财务错误遭客户投诉"
    MATERIALS_NOT_PER_SPEC = "materials_not_per_spec", "未依“制作规范”予以备料、用料遭致客户投诉"
    REJECTS_MIXED = "rejects_mixed", "经剔除的不合格产品混入正常品库遭致客户投诉"
    OVER_SHIPMENT = "over_shipment", "成品交运超出应收范围未经客户同意遭客户投诉"
    MATERIALS_CUT = "materials_cut", "擅自减少有关生产资料"
    SPECIAL_QUALITY_NOT_PASSED = (
        "special_quality_not_passed",
        "营运人员对于特殊质量要求，未反映给有关部门遭客户投诉",
    )
    ORDER_MISRECORDED = "order_misrecorded", "订单误记造成错误"
    LATE_DELIVERY = "late_delivery", "交货延迟"
    WRONG_SHIPMENT = "wrong_shipment", "装运错误"
    DELIVERY_NOTE_ERROR = "delivery_note_error", "交货单误记交运错误"
    STORAGE_TRANSPORT = "storage_transport", "仓储保管不当及运输上出问题"
    LABEL_MISMATCH = "label_mismatch", "外观标示不符规格"
    OTHER = "other", "其他"


class Sanction(models.TextChoices):
    """处分建议 (CMP-9 第二十四条 行政罚扣折算, PERF-10): what the finding proposes.

    ``FINE`` is CMP-11's money fine for a service complaint against an agent.
    """

    NONE = "none", "不予处分"
    CIRCULATED_CRITICISM = "circulated_criticism", "通报批评"
    WARNING = "warning", "警告"
    MINOR_DEMERIT = "minor_demerit", "小过"
    MAJOR_DEMERIT = "major_demerit", "大过"
    FINE = "fine", "罚款"
    DISMISSAL = "dismissal", "开除"
