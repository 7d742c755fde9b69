"""The shop API as the Flask + Flask-SQLAlchemy article writes it.

Products are paginated with ``Product.query.paginate(page=page, per_page=per_page,
error_out=False)`` (a COUNT(*) and an OFFSET on every request, and no ORDER BY),
a user's orders are a ``lazy='dynamic'`` relationship paginated the same way, and
``expand=orders`` loads each user's orders one query per user. The only addition
is ``/api/products_ordered``: the same page with ``order_by(Product.id)``, so that
the benchmark can measure the article's code as written and with an ORDER BY.

Served by gunicorn; the database is ``PEER_DATABASE_URL`` (an SQLAlchemy URL),
the same SQLite file or PostgreSQL database folio-shop serves.
"""

import os

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

DATABASE_URL = os.environ["PEER_DATABASE_URL"]

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = DATABASE_URL
app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
db = SQLAlchemy(app)

# SQLite keeps timestamps as RFC 3339 TEXT; PostgreSQL as TIMESTAMPTZ.
if DATABASE_URL.startswith("sqlite"):
    Timestamp = db.String
else:
    Timestamp = db.DateTime(timezone=True)


def iso(value):
    return value if isinstance(value, str) else value.isoformat()


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String, nullable=False)
    email = db.Column(db.String, nullable=False, unique=True)
    created_at = db.Column(Timestamp, nullable=False)
    orders = db.relationship("Order", backref="user", lazy="dynamic")

    def to_dict(self):
        return {"id": self.id, "name": self.name, "email": self.email, "created_at": iso(self.created_at)}


class Product(db.Model):
    __tablename__ = "products"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String, nullable=False)
    category = db.Column(db.String, nullable=False)
    price_cents = db.Column(db.Integer, nullable=False)
    rating = db.Column(db.Float)
    created_at = db.Column(Timestamp, nullable=False)
    description = db.Column(db.Text, nullable=False)

    def to_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "price": self.price_cents,
            "rating": self.rating,
            "created_at": iso(self.created_at),
        }


class Order(db.Model):
    __tablename__ = "orders"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    status = db.Column(db.String, nullable=False)
    total_cents = db.Column(db.Integer, nullable=False)
    created_at = db.Column(Timestamp, nullable=False)

    def to_dict(self):
        return {
            "id": self.id,
            "user_id": self.user_id,
            "status": self.status,
            "total": self.total_cents,
            "created_at": iso(self.created_at),
        }


def products_page(query):
    page = request.args.get("page", 1, type=int)
    per_page = min(request.args.get("per_page", 10, type=int), 100)
    products = query.paginate(page=page, per_page=per_page, error_out=False)
    return jsonify(
        {
            "products": [p.to_dict() for p in products.items],
            "total": products.total,
            "pages": products.pages,
            "current_page": page,
        }
    )


@app.route("/api/products")
def get_products():
    return products_page(Product.query)


@app.route("/api/products_ordered")
def get_products_ordered():
    return products_page(Product.query.order_by(Product.id))


@app.route("/api/users")
def get_users():
    page = request.args.get("page", 1, type=int)
    per_page = min(request.args.get("per_page", 10, type=int), 100)
    users = User.query.paginate(page=page, per_page=per_page, error_out=False)
    items = []
    for user in users.items:
        data = user.to_dict()
        if request.args.get("expand") == "orders":
            data["orders"] = [o.to_dict() for o in user.orders.limit(3).all()]
        items.append(data)
    return jsonify({"users": items, "total": users.total, "pages": users.pages, "current_page": page})


@app.route("/api/users/<int:user_id>/orders")
def get_user_orders(user_id):
    user = User.query.get_or_404(user_id)
    page = request.args.get("page", 1, type=int)
    per_page = min(request.args.get("per_page", 5, type=int), 100)
    orders = user.orders.paginate(page=page, per_page=per_page, error_out=False)
    return jsonify(
        {
            "orders": [o.to_dict() for o in orders.items],
            "total_orders": orders.total,
            "pages": orders.pages,
            "current_page": page,
        }
    )
