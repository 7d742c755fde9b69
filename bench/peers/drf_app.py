"""The shop API in Django REST Framework, as its documentation writes it.

Products are served with each of DRF's three pagination classes (page number,
limit/offset, cursor) over unmanaged models of the shared tables; a user's orders
are paginated by page number; the user list nests each user's first three orders
with a ``SerializerMethodField`` (one query per user, the usual way). One file: the
settings, the models, the serializers, the views and the URLs.

Served by gunicorn (``drf_app:application``); the database is ``PEER_DATABASE_URL``
(the SQLAlchemy URL the Flask peer uses: ``sqlite:////path.db`` or
``postgresql+psycopg2://user@/db?host=/socket/dir``).
"""

import os
from urllib.parse import parse_qs, urlsplit

import django
from django.conf import settings


def database_from_url(url):
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": url.split(":///", 1)[1]}
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "PASSWORD": parts.password or "",
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": None,
    }


settings.configure(
    DEBUG=False,
    SECRET_KEY="folio-bench",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    USE_TZ=True,
    DATABASES={"default": database_from_url(os.environ["PEER_DATABASE_URL"])},
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
    MIDDLEWARE=[],
    REST_FRAMEWORK={
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": [],
        "UNAUTHENTICATED_USER": None,
    },
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import models  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import generics, serializers  # noqa: E402
from rest_framework.pagination import (  # noqa: E402
    CursorPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)


class User(models.Model):
    name = models.TextField()
    email = models.TextField(unique=True)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "shop"
        db_table = "users"
        managed = False


class Product(models.Model):
    name = models.TextField()
    category = models.TextField()
    price_cents = models.BigIntegerField()
    rating = models.FloatField(null=True)
    created_at = models.DateTimeField()
    description = models.TextField()

    class Meta:
        app_label = "shop"
        db_table = "products"
        managed = False


class Order(models.Model):
    user = models.ForeignKey(User, on_delete=models.DO_NOTHING, related_name="orders")
    status = models.TextField()
    total_cents = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        app_label = "shop"
        db_table = "orders"
        managed = False


class ProductSerializer(serializers.ModelSerializer):
    price = serializers.IntegerField(source="price_cents")

    class Meta:
        model = Product
        fields = ["id", "name", "category", "price", "rating", "created_at"]


class OrderSerializer(serializers.ModelSerializer):
    total = serializers.IntegerField(source="total_cents")

    class Meta:
        model = Order
        fields = ["id", "user_id", "status", "total", "created_at"]


class UserSerializer(serializers.ModelSerializer):
    orders = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "name", "email", "created_at", "orders"]

    def get_orders(self, user):
        return OrderSerializer(user.orders.order_by("id")[:3], many=True).data


class PageNumber(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 100


class OrdersPage(PageNumberPagination):
    page_size = 5
    page_size_query_param = "page_size"
    max_page_size = 100


class LimitOffset(LimitOffsetPagination):
    default_limit = 10
    max_limit = 100


class Cursor(CursorPagination):
    page_size = 10
    ordering = "id"


class ProductsByPage(generics.ListAPIView):
    queryset = Product.objects.all().order_by("id")
    serializer_class = ProductSerializer
    pagination_class = PageNumber


class ProductsByOffset(ProductsByPage):
    pagination_class = LimitOffset


class ProductsByCursor(ProductsByPage):
    pagination_class = Cursor


class Users(generics.ListAPIView):
    queryset = User.objects.all().order_by("id")
    serializer_class = UserSerializer
    pagination_class = PageNumber


class UserOrders(generics.ListAPIView):
    serializer_class = OrderSerializer
    pagination_class = OrdersPage

    def get_queryset(self):
        user = generics.get_object_or_404(User.objects.all(), pk=self.kwargs["pk"])
        return user.orders.order_by("id")


urlpatterns = [
    path("drf/products/page", ProductsByPage.as_view()),
    path("drf/products/limit", ProductsByOffset.as_view()),
    path("drf/products/cursor", ProductsByCursor.as_view()),
    path("drf/users", Users.as_view()),
    path("drf/users/<int:pk>/orders", UserOrders.as_view()),
]

application = get_wsgi_application()
