package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/proto"
)

// axePath is axe-core as installed by npm (a devDependency in
// package.json), relative to this package's directory, where go test runs.
var axePath = filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js")

var readAxe = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(axePath)
	return string(b), err
})

// requireAxe skips (or, under CI, fails) a test when axe-core is missing,
// before the test does any work.
func requireAxe(t *testing.T) {
	t.Helper()
	if _, err := readAxe(); err != nil {
		requireTool(t, "axe-core", fmt.Sprintf("%v; run npm ci (or make assets) in the repository root", err))
	}
}

// axeRun checks the document against WCAG 2.2 A and AA, as the
// accessibility statement promises, and returns the violations with the
// first few offending elements of each.
const axeRun = `async () => {
	const r = await axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
		resultTypes: ['violations'],
	});
	return r.violations.map(v => ({
		id: v.id,
		impact: v.impact || '',
		help: v.help,
		count: v.nodes.length,
		nodes: v.nodes.slice(0, 3).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200)})),
	}));
}`

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Count  int    `json:"count"`
	Nodes  []struct {
		Target string `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkA11y runs axe-core on the page as it is now and records every
// violation as a test error, naming the page, so one run reports all the
// problems along the way rather than stopping at the first.
func checkA11y(t *testing.T, page *rod.Page) {
	t.Helper()
	src, err := readAxe()
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	p := page.Timeout(stepTimeout)
	defer p.CancelTimeout()

	// Evaluation through the DevTools protocol is not subject to the page's
	// Content-Security-Policy (script-src 'self'), and still works when the
	// page's own scripts are disabled, so axe can be injected into any page.
	// Each new document needs it again; the same document keeps it.
	loaded, err := p.Eval(`() => typeof axe !== 'undefined'`)
	if err != nil {
		t.Fatalf("inspect the page for axe-core: %v", err)
	}
	if !loaded.Value.Bool() {
		res, err := proto.RuntimeEvaluate{Expression: src}.Call(p)
		if err != nil {
			t.Fatalf("inject axe-core: %v", err)
		}
		if res.ExceptionDetails != nil {
			t.Fatalf("inject axe-core: %s", res.ExceptionDetails.Text)
		}
	}

	res, err := p.Eval(axeRun)
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	var violations []axeViolation
	if err := res.Value.Unmarshal(&violations); err != nil {
		t.Fatalf("read axe-core's results: %v", err)
	}
	where, err := p.Eval(`() => location.href + ' (' + document.title + ')'`)
	if err != nil {
		t.Fatalf("read the location: %v", err)
	}
	if len(violations) == 0 {
		t.Logf("axe-core: no violations on %s", where.Value.Str())
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "accessibility violations on %s:", where.Value.Str())
	for _, v := range violations {
		fmt.Fprintf(&b, "\n  %s [%s] %s (%d elements)", v.ID, v.Impact, v.Help, v.Count)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n      %s: %s", n.Target, n.HTML)
		}
	}
	t.Error(b.String())
}
