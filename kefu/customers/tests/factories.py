"""factory_boy factories for customers (fast set-up; behaviour under test goes through services)."""

from __future__ import annotations

from typing import Any

import factory

from kefu.customers.choices import CustomerType
from kefu.customers.models import Customer, CustomerPhone


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer with one phone (``phones=[...]`` for others; numbers already normalised)."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"客户{n}")
    customer_type = CustomerType.CONSUMER
    grade = "normal"
    region = "上海"

    @factory.post_generation
    def phones(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if not create:
            return
        numbers = extracted if extracted is not None else [f"139{self.pk:08d}"]
        for number in numbers:
            CustomerPhone.objects.create(customer=self, phone=number, last4=number[-4:])
