"""Choices for the customer archive — 客户档案."""

from django.db import models


class CustomerType(models.TextChoices):
    """客户类型 (CRM-1): who the customer is to the company."""

    CONSUMER = "consumer", "终端消费者"
    DISTRIBUTOR = "distributor", "代理商"
    FRANCHISEE = "franchisee", "加盟商"
    ENTERPRISE = "enterprise", "企业客户"
