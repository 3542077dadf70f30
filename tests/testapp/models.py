from django.db import models


class Customer(models.Model):
    full_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    date_of_birth = models.DateField(null=True)
    country = models.CharField(max_length=2)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.full_name


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    total = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=20, default="paid")

    def __str__(self) -> str:
        return f"order {self.pk}"
