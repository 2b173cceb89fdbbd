package chart_test

import (
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"oikos/internal/chart"
)

// svgNode is an element of a drawn chart, read back as XML.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []svgNode  `xml:",any"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// all lists the elements named name, depth first.
func (n svgNode) all(name string) []svgNode {
	var out []svgNode
	if n.XMLName.Local == name {
		out = append(out, n)
	}
	for _, c := range n.Children {
		out = append(out, c.all(name)...)
	}
	return out
}

func (n svgNode) texts() []string {
	var out []string
	for _, t := range n.all("text") {
		out = append(out, t.Text)
	}
	return out
}

// parse reads the chart back, failing on anything that is not well formed.
func parse(t *testing.T, svg string) svgNode {
	t.Helper()
	var n svgNode
	dec := xml.NewDecoder(strings.NewReader(svg))
	if err := dec.Decode(&n); err != nil {
		t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("more after the SVG element: %v", err)
	}
	return n
}

func friendsChart() chart.LineChart {
	return chart.LineChart{ID: "friends", Title: "Close friends", Desc: "1 in March, 3 in June.",
		XLabel: "When you told us", YLabel: "Close friends", XTicks: []string{"4 Mar 2026", "1 Jun 2026"}, YMin: 0, YMax: 5,
		Series: []chart.LineSeries{{Name: "Close friends", Values: []float64{1, 3}}}}
}

func TestLineSVGIsAnAccessibleImage(t *testing.T) {
	svg := string(chart.LineSVG(friendsChart()))
	n := parse(t, svg)
	if n.XMLName.Local != "svg" || n.attr("role") != "img" || n.attr("aria-labelledby") != "friends-title" ||
		n.attr("aria-describedby") != "friends-desc" || n.attr("viewBox") == "" {
		t.Fatalf("root: %v %v", n.XMLName, n.Attrs)
	}
	if ts := n.all("title"); len(ts) != 1 || ts[0].Text != "Close friends" || ts[0].attr("id") != "friends-title" {
		t.Errorf("title: %+v", ts)
	}
	if ds := n.all("desc"); len(ds) != 1 || ds[0].Text != "1 in March, 3 in June." || ds[0].attr("id") != "friends-desc" {
		t.Errorf("desc: %+v", ds)
	}
	texts := strings.Join(n.texts(), "|")
	for _, want := range []string{"When you told us", "Close friends", "4 Mar 2026", "1 Jun 2026", "|1|", "|3|", "0|", "5|"} {
		if !strings.Contains("|"+texts+"|", want) {
			t.Errorf("no text %q in %q", want, texts)
		}
	}
	if got := len(n.all("circle")); got != 2 {
		t.Errorf("%d point markers, want 2", got)
	}
	if got := len(n.all("polyline")); got != 1 {
		t.Errorf("%d lines, want 1", got)
	}
	// One line needs no legend: its name is the axis's.
	if strings.Count(texts, "Close friends") != 1 {
		t.Errorf("legend drawn for one line: %q", texts)
	}
}

// The pages' Content-Security-Policy refuses inline styles and scripts.
func TestLineSVGHasNoStyleOrScript(t *testing.T) {
	c := friendsChart()
	c.Series = append(c.Series, chart.LineSeries{Name: "Other", Values: []float64{2, 2}}, chart.LineSeries{Name: "Third", Values: []float64{0, 4}},
		chart.LineSeries{Name: "Fourth", Values: []float64{5, 1}}, chart.LineSeries{Name: "Fifth", Values: []float64{3, 3}})
	svg := string(chart.LineSVG(c))
	for _, bad := range []string{"style", "<script", "javascript:"} {
		if strings.Contains(strings.ToLower(svg), bad) {
			t.Errorf("the chart holds %q", bad)
		}
	}
	if handler := regexp.MustCompile(`(?i)\son[a-z]+=`).FindString(svg); handler != "" {
		t.Errorf("the chart holds an event handler %q", handler)
	}
}

func TestLineSVGEscapesEveryText(t *testing.T) {
	evil := `</text><script>alert(1)</script>"' & <b>`
	c := chart.LineChart{ID: `x" onload="alert(1)`, Title: evil, Desc: evil, XLabel: evil, YLabel: evil, XTicks: []string{evil, evil},
		YTicks: []chart.LineTick{{Value: 0, Label: evil}, {Value: 1, Label: "1"}},
		Series: []chart.LineSeries{{Name: evil, Values: []float64{0, 1}, Labels: []string{evil, ""}}, {Name: evil, Values: []float64{1, 0}}}}
	svg := string(chart.LineSVG(c))
	if strings.Contains(svg, "<script") || strings.Contains(svg, "onload=") || strings.Contains(svg, "<b>") {
		t.Fatalf("unescaped:\n%s", svg)
	}
	n := parse(t, svg)
	got := 0
	for _, text := range append(n.texts(), n.all("title")[0].Text, n.all("desc")[0].Text) {
		if text == evil {
			got++
		}
	}
	// Title, description, both axes, two bottom ticks, one side tick, one
	// point label and two legend entries.
	if got != 10 {
		t.Errorf("the text came back whole %d times, want 10:\n%s", got, svg)
	}
	id := n.attr("aria-labelledby")
	if !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*-title$`).MatchString(id) {
		t.Errorf("id %q", id)
	}
}

func TestLineSVGShapes(t *testing.T) {
	tests := []struct {
		name           string
		chart          chart.LineChart
		markers, lines int
		texts          []string
		absent         []string
	}{
		{"a single point has no line", chart.LineChart{Title: "One", XTicks: []string{"March"}, YMin: 0, YMax: 10,
			Series: []chart.LineSeries{{Name: "Score", Values: []float64{4}}}}, 1, 0, []string{"March", "4"}, nil},
		{"missing values are skipped, not drawn at zero", chart.LineChart{Title: "Gaps", XTicks: []string{"a", "b", "c"}, YMin: 0, YMax: 10,
			Series: []chart.LineSeries{{Name: "Score", Values: []float64{4, math.NaN(), 6}}, {Name: "Short", Values: []float64{2}}}},
			3, 1, []string{"4", "6", "2", "Score", "Short"}, []string{"NaN"}},
		{"words on the side axis and beside points", chart.LineChart{Title: "Lonely", XTicks: []string{"Jan", "Apr"}, YMin: 1, YMax: 5,
			YTicks: []chart.LineTick{{1, "Often or always"}, {3, "Occasionally"}, {5, "Never"}},
			Series: []chart.LineSeries{{Name: "How often", Values: []float64{1, 2}, Labels: []string{"Often or always", "Some of the time"}}}},
			2, 1, []string{"Often or always", "Occasionally", "Never", "Some of the time"}, []string{"|2|"}},
		{"no range given: taken from the values", chart.LineChart{Title: "Free", XTicks: []string{"a", "b"},
			Series: []chart.LineSeries{{Name: "Score", Values: []float64{20, 30}}}}, 2, 1, []string{"20", "30"}, nil},
		{"all one value", chart.LineChart{Title: "Flat", XTicks: []string{"a", "b"},
			Series: []chart.LineSeries{{Name: "Score", Values: []float64{7, 7}}}}, 2, 1, []string{"7"}, nil},
		{"nothing at all", chart.LineChart{Title: "Empty"}, 0, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := parse(t, string(chart.LineSVG(tt.chart)))
			markers := len(n.all("circle")) + len(n.all("rect")) + len(n.all("polygon"))
			if len(tt.chart.Series) > 1 {
				markers -= len(tt.chart.Series) // the legend's
			}
			if markers != tt.markers || len(n.all("polyline")) != tt.lines {
				t.Errorf("%d markers and %d lines, want %d and %d", markers, len(n.all("polyline")), tt.markers, tt.lines)
			}
			texts := "|" + strings.Join(n.texts(), "|") + "|"
			for _, want := range tt.texts {
				if !strings.Contains(texts, "|"+want+"|") {
					t.Errorf("no text %q in %s", want, texts)
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(texts, bad) {
					t.Errorf("text %q in %s", bad, texts)
				}
			}
		})
	}
}

// Two lines through the same point would print their labels on top of
// each other: they are moved apart.
func TestLineSVGLabelsDoNotOverlap(t *testing.T) {
	c := chart.LineChart{Title: "Four at once", XTicks: []string{"Feb", "May"}, YMin: 0, YMax: 10, Series: []chart.LineSeries{
		{Name: "A", Values: []float64{5, 6}}, {Name: "B", Values: []float64{5, 6}}, {Name: "C", Values: []float64{5, 7}}, {Name: "D", Values: []float64{5, 2}}}}
	n := parse(t, string(chart.LineSVG(c)))
	type at struct{ x, y float64 }
	var labels []at
	for _, tx := range n.all("text") {
		if tx.attr("font-weight") != "bold" {
			continue
		}
		x, _ := strconv.ParseFloat(tx.attr("x"), 64)
		y, _ := strconv.ParseFloat(tx.attr("y"), 64)
		labels = append(labels, at{x, y})
	}
	if len(labels) != 8 {
		t.Fatalf("%d point labels, want 8", len(labels))
	}
	for i := range labels {
		for j := i + 1; j < len(labels); j++ {
			if labels[i].x == labels[j].x && math.Abs(labels[i].y-labels[j].y) < 12 {
				t.Errorf("labels %d and %d overlap: %v %v", i, j, labels[i], labels[j])
			}
		}
	}
}

func TestLineSVGIDsDifferByChart(t *testing.T) {
	a := parse(t, string(chart.LineSVG(chart.LineChart{Title: "Close friends"}))).attr("aria-labelledby")
	b := parse(t, string(chart.LineSVG(chart.LineChart{Title: "Wellbeing"}))).attr("aria-labelledby")
	if a == b {
		t.Errorf("two charts share the id %q", a)
	}
}
