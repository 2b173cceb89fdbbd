package chart

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Bar charts, drawn on the server as SVG in the same manner as the line
// charts: one image with a title and a description for screen readers,
// each bar labelled with its words and its value, and a bar that cannot be
// shown (a count hidden to protect people) drawn as no bar with its reason
// in words, never as a zero.

// BarChart is horizontal bars, one per item, from a zero line.
type BarChart struct {
	// ID starts the ids of the chart's title and description; it must be
	// unique on the page. When empty, one is made from the title.
	ID string
	// Title names the chart; Desc says in words what it shows.
	Title, Desc string
	Bars        []BarItem
	// Max is the value the longest bar reaches; when not above every value
	// it is the largest value.
	Max float64
}

// BarItem is one bar: its words and value, or when Missing, no bar and
// the words of Note ("fewer than 5") where the value would be.
type BarItem struct {
	Label   string
	Value   float64
	Text    string // the value as written beside the bar; Value when empty
	Missing bool
	Note    string
}

// Drawing sizes, in the SVG's own units.
const (
	barWidth   = 640.0
	barRowH    = 34.0
	barThick   = 22.0
	barTop     = 8.0
	barCharW   = 7.5 // a generous average width of a character at barFont
	barFont    = 14
	barGap     = 8.0
	barValueW  = 110.0 // room for the value or note after the longest bar
	barColour  = "#005eb8"
	barNegFill = "#7c2855"
	barText    = "#212b32"
	barAxis    = "#4c6272"
)

// BarSVG draws the chart as an SVG element, every text escaped.
func BarSVG(c BarChart) template.HTML {
	lo, hi := 0.0, c.Max
	for _, it := range c.Bars {
		if it.Missing || math.IsNaN(it.Value) || math.IsInf(it.Value, 0) {
			continue
		}
		lo, hi = min(lo, it.Value), max(hi, it.Value)
	}
	if hi-lo <= 0 {
		hi = lo + 1
	}
	widest := 0
	for _, it := range c.Bars {
		widest = max(widest, len([]rune(it.Label)))
	}
	// Room for the bars' words, up to a point: a longer label is cut with
	// an ellipsis rather than squeeze the bars to nothing (the table under
	// every chart has the words whole).
	labelW := float64(min(widest, 28))*barCharW + barGap
	plotW := barWidth - labelW - barValueW
	if lo < 0 {
		plotW -= barValueW // room for a value left of a bar going left
	}
	left := labelW
	if lo < 0 {
		left += barValueW
	}
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*plotW }
	zero := x(0)
	height := barTop*2 + barRowH*float64(max(len(c.Bars), 1))

	id := barID(c)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="oikos-chart" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%s-title" aria-describedby="%s-desc" focusable="false" font-family="Frutiger W01, Arial, Helvetica, sans-serif" font-size="%d" fill="%s">`,
		barNum(barWidth), barNum(height), id, id, barFont, barText)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, barEsc(c.Title), id, barEsc(c.Desc))
	for i, it := range c.Bars {
		top := barTop + barRowH*float64(i)
		mid := top + barRowH/2
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`,
			barNum(labelW-barGap), barNum(mid), barEsc(barShorten(it.Label, 28)))
		if it.Missing || math.IsNaN(it.Value) || math.IsInf(it.Value, 0) {
			note := it.Note
			if note == "" {
				note = "no figure"
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" dominant-baseline="middle" font-style="italic" fill="%s">%s</text>`,
				barNum(zero+barGap), barNum(mid), barAxis, barEsc(note))
			continue
		}
		text := it.Text
		if text == "" {
			text = strconv.FormatFloat(it.Value, 'f', -1, 64)
		}
		end := x(it.Value)
		fill := barColour
		if it.Value < 0 {
			fill = barNegFill
		}
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			barNum(min(zero, end)), barNum(mid-barThick/2), barNum(math.Abs(end-zero)), barNum(barThick), fill)
		if it.Value < 0 {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`,
				barNum(end-barGap), barNum(mid), barEsc(text))
		} else {
			fmt.Fprintf(&b, `<text x="%s" y="%s" dominant-baseline="middle">%s</text>`,
				barNum(end+barGap), barNum(mid), barEsc(text))
		}
	}
	// The zero line the bars grow from.
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`,
		barNum(zero), barNum(barTop/2), barNum(zero), barNum(height-barTop/2), barAxis)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// barID is the chart's id, or one made from its title: the same chart
// gets the same id on every page load.
func barID(c BarChart) string {
	if c.ID != "" {
		return barEsc(c.ID)
	}
	h := fnv.New32a()
	h.Write([]byte(c.Title))
	return fmt.Sprintf("bar-%08x", h.Sum32())
}

// barShorten cuts words to n characters, with an ellipsis.
func barShorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func barEsc(s string) string { return template.HTMLEscapeString(s) }

// barNum writes a coordinate with at most two decimals.
func barNum(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }
