"""How far the label model can be trusted: UI relabellings against labels of other actions.

    .venv/bin/python -m bench.healing.label_pairs

`rewording.MEANING_FLOOR` (0.5) and the label gate (`healer.LABEL_MIN`, 0.5) together let a reworded
label through from a cosine of 0.75. Lowering the floor would heal more relabellings, so this prints,
per cosine cut-off, how many of a list of relabellings that keep the meaning would pass, and which
labels of *other* actions would pass with them. Neither list shares a pair with the benchmark's
generator (`mutate._SYNONYMS`): they judge the model, not the benchmark. Opposites ("Sign in", "Sign
out") are listed apart: `opposites.py` stops them whatever the model says.
"""

from __future__ import annotations

from testruns.engine.healing import meaning
from testruns.engine.healing.opposites import opposed
from testruns.engine.healing.similarity import words

from .mutate import _SYNONYMS

SAME_ACTION = [
    ("Close", "Dismiss"),
    ("OK", "Got it"),
    ("Delete", "Trash"),
    ("Log out", "Sign out"),
    ("Register", "Create account"),
    ("Buy now", "Purchase"),
    ("Update", "Save"),
    ("Back", "Go back"),
    ("Help", "Support"),
    ("Settings", "Preferences"),
    ("Profile", "My account"),
    ("Upload", "Attach file"),
    ("Share", "Send link"),
    ("Copy link", "Copy URL"),
    ("Invite member", "Add teammate"),
    ("Contact us", "Get in touch"),
    ("Learn more", "Read more"),
    ("Show more", "Load more"),
    ("See all", "View all"),
    ("Filter", "Refine"),
    ("Clear all", "Remove all"),
    ("Start", "Begin"),
    ("Finish", "Done"),
    ("Zip code", "Postal code"),
    ("Company", "Organization"),
    ("Post", "Publish"),
    ("Place order", "Complete purchase"),
    ("Unsubscribe", "Opt out"),
    ("Edit profile", "Update profile"),
    ("Change password", "Update password"),
    ("View cart", "Go to cart"),
    ("Cart", "Basket"),
    ("Notifications", "Alerts"),
    ("Accept", "Agree"),
    ("Decline", "No thanks"),
    ("Skip", "Not now"),
    ("Retry", "Try again"),
    ("Duplicate", "Copy"),
    ("Edit", "Update"),
    ("Cancel subscription", "End subscription"),
]
OTHER_ACTION = [
    ("Save", "Delete"),
    ("Edit", "Share"),
    ("Print", "Post comment"),
    ("Reply", "Like"),
    ("Add to cart", "Add to wishlist"),
    ("Download", "Share"),
    ("Sign in", "Create account"),
    ("Archive", "Delete"),
    ("Edit", "Delete"),
    ("Notifications", "Messages"),
    ("City", "Country"),
    ("Title", "Description"),
    ("Username", "Password"),
    ("Email", "Phone"),
    ("Settings", "Profile"),
    ("Save", "Send"),
    ("Reply", "Comment"),
    ("Save", "Submit"),
    ("Street", "City"),
    ("Add row", "Add column"),
    ("New password", "Current password"),
    ("New password", "Confirm password"),
    ("Credit card", "Debit card"),
    ("Home phone", "Work phone"),
    ("Sort by name", "Sort by date"),
    ("View invoice", "View receipt"),
    ("Card number", "Phone number"),
    ("Billing address", "Shipping address"),
    ("Delete account", "Delete project"),
    ("Download PDF", "Download CSV"),
]
OPPOSITES = [
    ("Zoom in", "Zoom out"),
    ("Sign in", "Sign up"),
    ("Sign in", "Sign out"),
    ("Log in", "Log out"),
    ("Enable", "Disable"),
    ("Lock", "Unlock"),
    ("Move up", "Move down"),
    ("Mark as read", "Mark as unread"),
    ("Start date", "End date"),
    ("Import", "Export"),
]
CUTOFFS = (0.55, 0.6, 0.65, 0.7, 0.75)


def main() -> None:
    used = {frozenset((a, b)) for a, b in _SYNONYMS.items()}
    for a, b in SAME_ACTION + OTHER_ACTION + OPPOSITES:
        assert frozenset((a.lower(), b.lower())) not in used, f"{a} / {b} is one of the generator's own rewordings"
    same = sorted((meaning.similarity(a, b), a, b) for a, b in SAME_ACTION)
    other = sorted(((meaning.similarity(a, b), a, b) for a, b in OTHER_ACTION), reverse=True)
    print(f"{'cut-off':>8} {'relabellings healed':>20}  other actions let through")
    for cut in CUTOFFS:
        kept = sum(c >= cut for c, *_ in same)
        through = [f"{a} / {b} ({c:.2f})" for c, a, b in other if c >= cut]
        print(f"{cut:>8.2f} {kept:>14} of {len(same)}  {', '.join(through) or '-'}")
    print("opposites (stopped by opposites.py, not by the cut-off):")
    for a, b in OPPOSITES:
        assert opposed(words(a), words(b)), f"{a} / {b}"
        print(f"    {a} / {b}: {meaning.similarity(a, b):.2f}")


if __name__ == "__main__":
    main()
