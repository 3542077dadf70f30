"""The shop's operational tables: personal data that analysts must not see raw."""

from django.db import models


class Customer(models.Model):
    """A person who has an account with the shop."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=32, blank=True)
    date_of_birth = models.DateField()
    created_at = models.DateTimeField()
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name


class Address(models.Model):
    """A postal address of a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=20)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.line1}, {self.postcode} {self.city}, {self.country}"


class Product(models.Model):
    """Something the shop sells."""

    name = models.CharField(max_length=200, unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    """A customer's order; ``total`` is the sum of its lines."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    created_at = models.DateTimeField()
    total = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.status})"


class OrderLine(models.Model):
    """One product in an order, at the price paid for it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id} in order {self.order_id}"
