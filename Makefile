# Oikos: `make run` builds and serves with demo data; `make test` runs the
# whole suite (SQLite, PostgreSQL and a real browser).

GO ?= go
ADDR ?= 127.0.0.1:8080
DB ?= sqlite:oikos.db
VENDOR := internal/web/static/vendor
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk

.PHONY: run test build assets vet clean bench

run: build
	./bin/oikos migrate --db '$(DB)'
	./bin/oikos demo --db '$(DB)'
	./bin/oikos serve --addr $(ADDR) --db '$(DB)'

build: assets
	$(GO) build -o bin/oikos ./cmd/oikos

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The NHS.UK frontend's compiled CSS, JS and images, copied into the embedded
# static assets. The CSS names its images from the site root; rewrite those to
# relative paths so everything can live under one content-hashed prefix.
assets: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)/assets/images
	sed -e 's#url(/assets/#url(assets/#g' $(NHSUK)/nhsuk-frontend.min.css > $(VENDOR)/nhsuk-frontend.min.css
	sed -e 's#//\# sourceMappingURL=.*##' $(NHSUK)/nhsuk-frontend.min.js > $(VENDOR)/nhsuk-frontend.min.js
	cp $(NHSUK)/assets/images/*.svg $(NHSUK)/assets/images/*.png $(NHSUK)/assets/images/favicon.ico $(VENDOR)/assets/images/

vet:
	@test -z "$$(gofmt -l cmd internal *.go)" || (echo "gofmt needed:"; gofmt -l cmd internal *.go; exit 1)
	$(GO) vet ./...

# Every package runs with the race detector except cmd/oikos, whose tests
# drive the whole server from headless Chromium: under -race they take more
# than twice as long (over 25 minutes on 2 CPUs), and the same handlers and
# stores are raced by their own packages' tests. The two halves run side by
# side, since the browser half mostly waits on Chromium.
test: assets vet
	@rm -f .test-race.log; \
	( $(GO) test -race -count=1 -timeout 25m $$($(GO) list ./... | grep -v '^oikos/cmd/oikos$$') > .test-race.log 2>&1; echo $$? > .test-race.rc ) & \
	$(GO) test -count=1 -timeout 25m ./cmd/oikos/; browser=$$?; \
	wait; cat .test-race.log; race=$$(cat .test-race.rc); rm -f .test-race.log .test-race.rc; \
	test $$browser -eq 0 && test $$race -eq 0

bench: assets
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin $(VENDOR)

# Directory search under load: a synthetic national directory of 100,000
# services, GET /api/v1/services from 8 concurrent clients on SQLite and on
# a throwaway PostgreSQL cluster, and the same searches as bare SQL.
.PHONY: bench-search
bench-search:
	$(GO) run ./cmd/oikos-bench --services 100000 --clients 8 --duration 20s --db both

# Referral intake under load: POST /api/v1/referrals from 8 concurrent
# clients with a referrer's token, durable commits, on SQLite and on a
# throwaway PostgreSQL cluster, against the same rows inserted straight
# through database/sql one transaction each; three rounds for a range.
.PHONY: bench-intake
bench-intake:
	$(GO) run ./cmd/oikos-bench --mode intake --clients 8 --duration 10s --rounds 3 --db both

# Suggestions under load: the 100,000-service synthetic directory, 300
# people referred from all over the country with what-matters
# conversations, then GET /api/v1/referrals/{id}/suggestions from 8
# concurrent clients on SQLite and on a throwaway PostgreSQL cluster.
.PHONY: bench-suggestions
bench-suggestions:
	$(GO) run ./cmd/oikos-bench --mode suggestions --services 100000 --referrals 300 --clients 8 --duration 20s --db both

# Scheme report at national scale: 1,000,000 referrals over three years,
# about 2,000,000 measures and 1,500,000 connections (generated once into
# BENCH_DIR and reused on SQLite; generated anew on a throwaway PostgreSQL
# cluster), then GET /api/v1/reports/summary for one year, cold (new
# server process, page cache dropped, PostgreSQL restarted) and warm, with
# the plans of the slowest statements.
BENCH_DIR ?= /tmp/oikos-bench-data
.PHONY: bench-reports
bench-reports:
	$(GO) run ./cmd/oikos-bench --mode reports --national 1000000 --services 20000 --rounds 3 --explain --db both --dir $(BENCH_DIR)

# A link worker's caseload page with 300 people in their care (contacts,
# conversations, plans, connections) over a background of 100,000
# referrals: GET /caseload 200 times, one at a time, p50/p95 and CPU per
# request, on SQLite and a throwaway PostgreSQL cluster.
.PHONY: bench-caseload
bench-caseload:
	$(GO) run ./cmd/oikos-bench --mode caseload --referrals 300 --national 100000 --requests 200 --db both --dir $(BENCH_DIR)

# The triage queue of a link worker with 10,000 referrals waiting in
# their scheme (and 5,000 in another) over 100,000 referrals: GET
# /referrals 200 times, one at a time, p50/p95 and CPU per request, on
# SQLite and a throwaway PostgreSQL cluster; target p95 < 100 ms.
.PHONY: bench-triage
bench-triage:
	$(GO) run ./cmd/oikos-bench --mode triage --waiting 10000 --national 100000 --requests 200 --db both --dir $(BENCH_DIR)

# Finding a person among a million (1,090,000 referrals, a fifth in a
# second scheme): 2,000 searches by name, NHS number or date of birth,
# one at a time, each audited with a durable commit, on SQLite and a
# throwaway PostgreSQL cluster; target p95 < 50 ms.
.PHONY: bench-people
bench-people:
	$(GO) run ./cmd/oikos-bench --mode people --requests 2000 --db both --dir $(BENCH_DIR)

# Personal budgets: a national year of the finance ledger (a million
# entries over 10,000 budgets) streamed as CSV with the heap watched, then
# 200 purchases at one budget at once, on SQLite and PostgreSQL.
.PHONY: bench-funds
bench-funds:
	$(GO) run ./cmd/oikos-bench --mode funds --national 1000000 --db both --dir $(BENCH_DIR)

# Grants: GET /api/v1/reports/grants and /api/v1/reports/citizen-led for
# three years of a national programme (20,000 services, 400 funded,
# 300,000 connections), 3 cold rounds and 3 warm, on SQLite and PostgreSQL.
.PHONY: bench-grants
bench-grants:
	$(GO) run ./cmd/oikos-bench --mode grants --national 300000 --rounds 3 --db both --dir $(BENCH_DIR)

# Volunteering at national scale: a scheme of 50,000 volunteers and a
# year of 500,000 matches with 5,000,000 logged contacts (generated once
# into BENCH_DIR and reused on SQLite; anew on a throwaway PostgreSQL
# cluster), then GET /api/v1/referrals/{id}/volunteer-suggestions 200
# times one at a time (p50/p95, CPU per request) and GET
# /api/v1/reports/volunteering for the year, cold and warm.
.PHONY: bench-volunteering
bench-volunteering:
	$(GO) run ./cmd/oikos-bench --mode volunteering --volunteers 50000 --matches 500000 --contacts 5000000 --requests 200 --rounds 3 --db both --dir $(BENCH_DIR)
