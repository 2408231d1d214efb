"""Plain-English tests for the demo app, as a team would write them. Seeded into the demo project."""

from __future__ import annotations

from typing import Any

from ..interfaces import StepSpec, TestSpec

SIGN_IN = [
    "Open /login.html",
    "Type alice@example.com into Email",
    'Type "secret" into Password',
    "Check Remember me",
    "Click the Sign in button",
    "Expect to see Welcome, Alice",
]

# name, tags, steps (plain English, or {"action", "target", "value"})
DEMO_TESTS: list[dict[str, Any]] = [
    {
        "name": "Sign in and see my orders",
        "tags": ["smoke", "auth"],
        "steps": [
            *SIGN_IN,
            "Expect the URL to contain /dashboard",
            "Expect 3 rows in Orders table",
            "Expect to see Blue mug",
        ],
    },
    {
        "name": "Wrong password is refused",
        "tags": ["auth"],
        "steps": [
            "Open /login.html",
            "Type alice@example.com into Email",
            "Type wrong into Password",
            "Click Sign in",
            "Expect to see Invalid email or password",
            "Expect the URL to contain /login",
        ],
    },
    {
        "name": "Filter orders",
        "tags": ["orders"],
        "steps": [
            *SIGN_IN,
            "Type lamp into Search orders",
            "Expect 1 row in Orders table",
            "Expect to see Green lamp",
            "Should not see Red scarf",
            "Clear Search orders",
            "Expect 3 rows in Orders table",
        ],
    },
    {
        "name": "Contact form shows validation errors",
        "tags": ["forms"],
        "steps": [
            "Open /contact.html",
            "Click Send message",
            "Expect to see Name is required",
            "Expect to see Enter a valid email address",
            "Type Bob into Name",
            "Type bob-at-example into the Email field",
            "Click Send message",
            "Expect not to see Name is required",
            "Expect to see Enter a valid email address",
        ],
    },
    {
        "name": "Send a contact message",
        "tags": ["forms", "smoke"],
        "steps": [
            "Open /contact.html",
            "Type Bob into Name",
            "Type bob@example.com into Email",
            "Select Sales from Topic",
            "Expect Topic to have value Sales",
            'Type "Please call me about "bulk" orders" into Message',
            "Check Subscribe to newsletter",
            "Expect Subscribe to newsletter to be checked",
            "Upload quote.pdf into Attachment",
            "Click Send message",
            "Expect to see Thanks, Bob! We will reply within 2 days.",
            "Expect to see Attached: quote.pdf",
        ],
    },
    {
        "name": "Todo list",
        "tags": ["todos"],
        "steps": [
            "Open /todos.html",
            "Type Buy milk into New todo",
            "Click Add",
            "Type Walk the dog into New todo",
            "Press Enter",
            {"action": "fill", "target": "New todo", "value": "Write tests"},
            {"action": "click", "target": "Add"},
            "Expect 3 items in Todo list",
            "Expect Clear completed to be disabled",
            "Check Walk the dog",
            "Expect Clear completed to be enabled",
            "Click Clear completed",
            "Expect 2 items in Todo list",
            "Expect to see 2 left",
        ],
    },
    {
        "name": "Slow report loads",
        "tags": ["slow"],
        "steps": [
            "Go to /slow.html",
            "Expect to see Loading report",
            "Wait for Report ready to appear",
            "Wait for Loading report to disappear",
            "Expect 3 items in Report lines",
            "Expect the title to contain Reports",
        ],
    },
    {
        "name": "Sign out",
        "tags": ["auth"],
        "steps": [
            *SIGN_IN,
            "Click Sign out",
            "Expect to be on /login.html",
            "Go to /dashboard.html",
            "Expect the URL to contain /login",
        ],
    },
]


def demo_test_specs() -> list[TestSpec]:
    return [
        TestSpec(
            test_id=f"demo-{i + 1}",
            name=t["name"],
            steps=[StepSpec.from_dict(s) for s in t["steps"]],
            tags=list(t["tags"]),
        )
        for i, t in enumerate(DEMO_TESTS)
    ]
