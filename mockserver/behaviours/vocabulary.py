"""Words synthesized answers are made of: names, companies, places, business phrases.

A few dozen of each, chosen per field by a seeded random generator (scalars.py). Faker
would give more variety, but importing and starting it took 0.8-1.1 s and 9 MB on this
machine (BENCHMARKS.md), against a mock that should boot in about that; answers need to
look plausible, not to be a population sample.
"""

from __future__ import annotations

FIRST_NAMES = (
    *("Olivia", "Liam", "Amara", "Noah", "Sofia", "Mateo", "Priya", "Lucas", "Hana", "Ethan"),
    *("Chloe", "Kenji", "Fatima", "Daniel", "Ingrid", "Omar", "Grace", "Rafael", "Mei", "Jonas"),
    *("Aisha", "Leo", "Elena", "Samuel", "Zoe", "Arjun", "Clara", "Tomas", "Nadia", "Felix"),
)
LAST_NAMES = (
    *("Garcia", "Okafor", "Nakamura", "Schmidt", "Patel", "Johansson", "Rossi", "Dubois"),
    *("Kowalski", "Haddad", "Silva", "Nguyen", "Murphy", "Fischer", "Lindqvist", "Moreau"),
    *("Chen", "Adeyemi", "Novak", "Alvarez", "Kim", "Brennan", "Costa", "Ibrahim"),
)
COMPANIES = (
    *("Northwind Traders", "Globex Ltd", "Initech", "Umbrella Logistics", "Acme Corp"),
    *("Blue Harbor Foods", "Stellar Analytics", "Redwood Legal", "Summit Health", "Vandelay"),
    *("Brightline Energy", "Oakridge Capital", "Pioneer Freight", "Lumen Studios"),
    *("Harbor & Finch LLP", "Cobalt Systems", "Evergreen Retail", "Meridian Travel"),
)
DOMAINS = ("example.com", "example.org", "example.net")
CITIES = (
    *("London", "Berlin", "Lisbon", "Toronto", "Austin", "Singapore", "Nairobi", "Melbourne"),
    *("Bengaluru", "Stockholm", "Madrid", "Chicago", "Dublin", "Seoul", "Denver", "Lyon"),
)
STATES = ("CA", "NY", "TX", "WA", "IL", "MA", "CO", "FL", "OR", "GA")
COUNTRIES = ("United Kingdom", "Germany", "Portugal", "Canada", "United States", "Singapore")
COUNTRY_CODES = ("GB", "DE", "PT", "CA", "US", "SG", "FR", "NL", "IE", "AU", "IN", "JP")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "SGD", "AUD", "JPY", "INR")
LANGUAGES = ("en", "de", "fr", "es", "pt", "ja", "nl")
LOCALES = ("en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "pt-PT", "ja-JP")
TIMEZONES = ("Europe/London", "America/New_York", "Asia/Singapore", "Europe/Berlin", "UTC")
STREETS = (
    *("Market Street", "King Street", "Harbour Road", "Elm Avenue", "Station Road"),
    *("Maple Drive", "Church Lane", "Mill Road", "Park Avenue", "High Street"),
)
ADJECTIVES = (
    *("Annual", "Quarterly", "Standard", "Priority", "Regional", "Shared", "Primary"),
    *("Renewed", "Draft", "Global", "Updated", "Monthly", "Internal", "Signed"),
)
NOUNS = (
    *("agreement", "renewal", "invoice", "proposal", "report", "workspace", "project"),
    *("order", "subscription", "template", "request", "review", "policy", "account"),
    *("shipment", "booking", "contract", "budget", "campaign", "folder", "plan"),
)
SENTENCES = (
    "Prepared for the quarterly review with the finance team.",
    "Updated after the call with the customer's legal department.",
    "Covers the services delivered between January and March.",
    "Awaiting approval from the account owner before sending.",
    "Includes the revised payment terms agreed last week.",
    "Created from the standard template with two amendments.",
    "Please review the attached schedule and confirm by Friday.",
    "Renewal terms follow the master services agreement.",
)
STATUSES = ("active", "pending", "completed", "draft", "approved", "open")
FILE_EXTENSIONS = ("pdf", "docx", "xlsx", "png", "csv")
