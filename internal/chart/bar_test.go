package chart

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// barParse reads the SVG as XML (it must be well formed) and returns the
// rects' widths and the texts, in order.
func barParse(t *testing.T, svg string) (widths []float64, texts []string, titled bool) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	var inText, inTitle bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			for _, a := range el.Attr {
				if a.Name.Local == "style" {
					t.Errorf("a style attribute: the CSP forbids it")
				}
			}
			switch el.Name.Local {
			case "rect":
				for _, a := range el.Attr {
					if a.Name.Local == "width" {
						w, _ := strconv.ParseFloat(a.Value, 64)
						widths = append(widths, w)
					}
				}
			case "text":
				inText = true
			case "title":
				inTitle = true
			case "script":
				t.Errorf("a script in a chart")
			}
		case xml.EndElement:
			inText, inTitle = false, false
		case xml.CharData:
			if inText {
				texts = append(texts, string(el))
			}
			if inTitle && strings.TrimSpace(string(el)) != "" {
				titled = true
			}
		}
	}
	return widths, texts, titled
}

func TestBarSVG(t *testing.T) {
	cases := []struct {
		name       string
		chart      BarChart
		wantWidths int
		wantTexts  []string
		ratio      float64 // widths[1]/widths[0], when two bars
	}{
		{"two bars in proportion", BarChart{Title: "Referrals", Desc: "By source", Bars: []BarItem{
			{Label: "GP", Value: 40}, {Label: "Self", Value: 20},
		}}, 2, []string{"GP", "40", "Self", "20"}, 0.5},
		{"a hidden count is words, not a bar", BarChart{Title: "Referrals", Bars: []BarItem{
			{Label: "GP", Value: 40}, {Label: "Nurse", Missing: true, Note: "fewer than 5"},
		}}, 1, []string{"GP", "40", "Nurse", "fewer than 5"}, 0},
		{"the value as written", BarChart{Title: "Improved", Bars: []BarItem{
			{Label: "SWEMWBS", Value: 0.625, Text: "62.5%"},
		}}, 1, []string{"SWEMWBS", "62.5%"}, 0},
		{"negative values go left of zero", BarChart{Title: "Change", Bars: []BarItem{
			{Label: "GP appointments", Value: -1.5}, {Label: "Friends", Value: 3},
		}}, 2, []string{"GP appointments", "-1.5", "Friends", "3"}, 2},
		{"all zero", BarChart{Title: "Nothing", Bars: []BarItem{{Label: "A", Value: 0}}}, 1, []string{"A", "0"}, 0},
		{"no bars", BarChart{Title: "Empty"}, 0, nil, 0},
		{"words are escaped and long labels cut", BarChart{Title: "<script>", Desc: "a & b", Bars: []BarItem{
			{Label: "Friends & <family> who refer someone they know well", Value: 7},
		}}, 1, []string{"Friends & <family> who refe…", "7"}, 0},
		{"NaN is no figure", BarChart{Title: "x", Bars: []BarItem{{Label: "A", Value: math.NaN()}}}, 0, []string{"A", "no figure"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svg := string(BarSVG(c.chart))
			if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "aria-labelledby") {
				t.Errorf("not an accessible image: %s", svg)
			}
			widths, texts, titled := barParse(t, svg)
			if !titled {
				t.Errorf("no title")
			}
			if len(widths) != c.wantWidths {
				t.Errorf("%d bars, want %d", len(widths), c.wantWidths)
			}
			if strings.Join(texts, "|") != strings.Join(c.wantTexts, "|") {
				t.Errorf("texts %q, want %q", texts, c.wantTexts)
			}
			if c.ratio != 0 && len(widths) == 2 {
				if got := widths[1] / widths[0]; math.Abs(got-c.ratio) > 0.01 {
					t.Errorf("bars in ratio %v, want %v", got, c.ratio)
				}
			}
			for _, w := range widths {
				if w < 0 || math.IsNaN(w) {
					t.Errorf("bad width %v", w)
				}
			}
		})
	}
}

func TestBarIDs(t *testing.T) {
	a := string(BarSVG(BarChart{Title: "One"}))
	b := string(BarSVG(BarChart{Title: "Two"}))
	c := string(BarSVG(BarChart{ID: "mine", Title: "Two"}))
	if a == b || !strings.Contains(c, `id="mine-title"`) || string(BarSVG(BarChart{Title: "One"})) != a {
		t.Errorf("ids are not stable and distinct")
	}
}
