# The two commands of README.md. Each does its own set-up (scripts/install.sh) first.
.PHONY: install install-dev run test lint messages

install:
	@scripts/install.sh

install-dev:
	@scripts/install.sh --dev

run: install
	@scripts/run.sh

test: install-dev
	@scripts/test.sh

lint: install-dev
	.venv/bin/ruff check .
	.venv/bin/lint-imports

messages: install-dev
	cd klantvriend && ../.venv/bin/django-admin makemessages -l nl --no-obsolete --no-location
	cd clv && ../.venv/bin/django-admin makemessages -l nl --no-obsolete --no-location
	scripts/compile-messages.sh
