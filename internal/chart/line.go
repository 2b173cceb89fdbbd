package chart

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Line charts, drawn on the server as SVG: no script, no inline style
// (the pages' Content-Security-Policy forbids both), read by screen readers
// as one image with a title and a description, every point labelled with
// its value so that colour is never the only way to tell lines apart.

// LineChart is one or more lines over the same points along the bottom.
type LineChart struct {
	// ID starts the ids of the chart's title and description; it must be
	// unique on the page. When empty, one is made from the title.
	ID string
	// Title names the chart; Desc says in words what it shows.
	Title, Desc string
	// XLabel and YLabel name the axes.
	XLabel, YLabel string
	// XTicks label the points along the bottom, left to right.
	XTicks []string
	// YMin and YMax are the ends of the side axis; when YMax is not above
	// YMin they are taken from the values.
	YMin, YMax float64
	// YTicks are labelled values on the side axis; when empty, about five
	// evenly spaced numbers.
	YTicks []LineTick
	Series []LineSeries
}

// LineTick is a labelled value on the side axis.
type LineTick struct {
	Value float64
	Label string
}

// LineSeries is one line: a value for each XTick (NaN where there is
// none), and optionally the text shown beside each point (the value when
// empty).
type LineSeries struct {
	Name   string
	Values []float64
	Labels []string
}

// lineStyles tell the lines apart by colour, dash and marker at once. The
// colours are the NHS palette's blue, purple, green and dark pink, each
// at least 4.5:1 against white.
var lineStyles = []struct {
	colour, dash, marker string
}{
	{"#005eb8", "", "circle"},
	{"#330072", "8 4", "square"},
	{"#007f3b", "2 3", "triangle"},
	{"#7c2855", "10 3 2 3", "diamond"},
}

// Drawing sizes, in the SVG's own units.
const (
	lineWidth    = 640.0
	linePlotH    = 220.0
	lineTop      = 20.0
	lineRight    = 24.0
	lineCharW    = 7.5 // a generous average width of a character at lineFont
	lineFont     = 14
	lineLegendH  = 24.0
	lineLabelGap = 14.0 // the least distance between two point labels
)

const lineTextColour = "#212b32"

// LineSVG draws the chart as an SVG element, every text escaped.
func LineSVG(c LineChart) template.HTML {
	lo, hi := lineRange(c)
	ticks := c.YTicks
	if len(ticks) == 0 {
		ticks = lineTicks(lo, hi)
	}
	for _, t := range ticks {
		lo, hi = min(lo, t.Value), max(hi, t.Value)
	}
	widest := 0
	for _, t := range ticks {
		widest = max(widest, len([]rune(t.Label)))
	}
	// Room for the side axis's words, up to a point: a longer word runs
	// off the left edge rather than squeeze the lines to nothing.
	left := 44 + float64(min(widest, 22))*lineCharW
	plotW := lineWidth - left - lineRight
	bottom := lineTop + linePlotH
	height := bottom + 58
	if len(c.Series) > 1 {
		height += lineLegendH * float64(len(c.Series))
	}
	y := func(v float64) float64 { return bottom - (v-lo)/(hi-lo)*linePlotH }
	x := func(i int) float64 {
		if len(c.XTicks) <= 1 {
			return left + plotW/2
		}
		inset := min(40, plotW/8)
		return left + inset + float64(i)*(plotW-2*inset)/float64(len(c.XTicks)-1)
	}

	id := lineID(c)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="oikos-chart" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%s-title" aria-describedby="%s-desc" focusable="false" font-family="Frutiger W01, Arial, Helvetica, sans-serif" font-size="%d" fill="%s">`,
		lineNum(lineWidth), lineNum(height), id, id, lineFont, lineTextColour)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, lineEsc(c.Title), id, lineEsc(c.Desc))

	// The side axis: gridlines at each tick, the tick's words beside it.
	for _, t := range ticks {
		ty := y(t.Value)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#d8dde0" stroke-width="1"/>`, lineNum(left), lineNum(ty), lineNum(left+plotW), lineNum(ty))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`, lineNum(left-8), lineNum(ty), lineEsc(t.Label))
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, lineNum(left), lineNum(lineTop), lineNum(left), lineNum(bottom), lineTextColour)
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, lineNum(left), lineNum(bottom), lineNum(left+plotW), lineNum(bottom), lineTextColour)
	fmt.Fprintf(&b, `<text x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">%s</text>`,
		lineNum(lineTop+linePlotH/2), lineNum(lineTop+linePlotH/2), lineEsc(c.YLabel))

	// The bottom axis: a tick and its words under each point.
	for i, t := range c.XTicks {
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1"/>`, lineNum(x(i)), lineNum(bottom), lineNum(x(i)), lineNum(bottom+5), lineTextColour)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, lineNum(x(i)), lineNum(bottom+20), lineEsc(t))
	}
	fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`, lineNum(left+plotW/2), lineNum(bottom+44), lineEsc(c.XLabel))

	// The lines, their markers, then every point's label, moved apart where
	// two lines meet so that none hides another.
	type label struct {
		x, y float64
		text string
	}
	columns := make([][]label, len(c.XTicks))
	for si, s := range c.Series {
		st := lineStyles[si%len(lineStyles)]
		var path []string
		for i := range c.XTicks {
			if i >= len(s.Values) || math.IsNaN(s.Values[i]) || math.IsInf(s.Values[i], 0) {
				continue
			}
			path = append(path, lineNum(x(i))+","+lineNum(y(s.Values[i])))
		}
		dash := ""
		if st.dash != "" {
			dash = ` stroke-dasharray="` + st.dash + `"`
		}
		if len(path) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="3"%s/>`, strings.Join(path, " "), st.colour, dash)
		}
		for i := range c.XTicks {
			if i >= len(s.Values) || math.IsNaN(s.Values[i]) || math.IsInf(s.Values[i], 0) {
				continue
			}
			px, py := x(i), y(s.Values[i])
			b.WriteString(lineMarker(st.marker, st.colour, px, py))
			text := lineNum(s.Values[i])
			if i < len(s.Labels) && s.Labels[i] != "" {
				text = s.Labels[i]
			}
			columns[i] = append(columns[i], label{x: px + 9, y: py - 9, text: text})
		}
	}
	for _, col := range columns {
		slices.SortStableFunc(col, func(a, b label) int {
			switch {
			case a.y < b.y:
				return -1
			case a.y > b.y:
				return 1
			}
			return 0
		})
		for i := 1; i < len(col); i++ {
			col[i].y = max(col[i].y, col[i-1].y+lineLabelGap)
		}
		for _, l := range col {
			// A label that would run off the right edge ends at its point
			// instead of starting there.
			anchor := ""
			if l.x+float64(len([]rune(l.text)))*lineCharW > lineWidth-2 {
				l.x, anchor = l.x-18, ` text-anchor="end"`
			}
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-weight="bold" stroke="#ffffff" stroke-width="4" paint-order="stroke"%s>%s</text>`, lineNum(l.x), lineNum(l.y), anchor, lineEsc(l.text))
		}
	}

	// A legend when there is more than one line: each line's marker and
	// dash beside its name.
	if len(c.Series) > 1 {
		for si, s := range c.Series {
			st := lineStyles[si%len(lineStyles)]
			ly := bottom + 58 + lineLegendH*float64(si) + lineLegendH/2
			dash := ""
			if st.dash != "" {
				dash = ` stroke-dasharray="` + st.dash + `"`
			}
			fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"%s/>`, lineNum(left), lineNum(ly), lineNum(left+36), lineNum(ly), st.colour, dash)
			b.WriteString(lineMarker(st.marker, st.colour, left+18, ly))
			fmt.Fprintf(&b, `<text x="%s" y="%s" dominant-baseline="middle">%s</text>`, lineNum(left+46), lineNum(ly), lineEsc(s.Name))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above went through lineEsc
}

// lineRange is the side axis's span: the chart's own when it has one,
// else the values', never empty.
func lineRange(c LineChart) (lo, hi float64) {
	lo, hi = c.YMin, c.YMax
	if hi <= lo || math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = math.Inf(1), math.Inf(-1)
	}
	for _, s := range c.Series {
		for _, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	switch {
	case math.IsInf(lo, 0) || math.IsInf(hi, 0):
		return 0, 1
	case hi == lo:
		return lo - 1, hi + 1
	}
	return lo, hi
}

// lineTicks are about five round numbers from lo to hi.
func lineTicks(lo, hi float64) []LineTick {
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{2, 5, 10} {
		if raw/mag >= m*0.75 {
			step = m * mag
		}
	}
	var out []LineTick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		v = math.Round(v/step) * step
		out = append(out, LineTick{Value: v, Label: lineNum(v)})
		if len(out) > 20 {
			break
		}
	}
	return out
}

// lineMarker is a point's marker: a circle, square, triangle or diamond.
func lineMarker(shape, colour string, x, y float64) string {
	switch shape {
	case "square":
		return fmt.Sprintf(`<rect x="%s" y="%s" width="10" height="10" fill="%s"/>`, lineNum(x-5), lineNum(y-5), colour)
	case "triangle":
		return fmt.Sprintf(`<polygon points="%s,%s %s,%s %s,%s" fill="%s"/>`, lineNum(x), lineNum(y-6), lineNum(x+6), lineNum(y+5), lineNum(x-6), lineNum(y+5), colour)
	case "diamond":
		return fmt.Sprintf(`<polygon points="%s,%s %s,%s %s,%s %s,%s" fill="%s"/>`, lineNum(x), lineNum(y-6), lineNum(x+6), lineNum(y), lineNum(x), lineNum(y+6), lineNum(x-6), lineNum(y), colour)
	}
	return fmt.Sprintf(`<circle cx="%s" cy="%s" r="5" fill="%s"/>`, lineNum(x), lineNum(y), colour)
}

// lineID keeps an id to letters, digits and dashes, or makes one from the
// title.
func lineID(c LineChart) string {
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, c.ID)
	if id == "" || !(id[0] >= 'a' && id[0] <= 'z' || id[0] >= 'A' && id[0] <= 'Z') {
		h := fnv.New32a()
		h.Write([]byte(c.Title + "\x00" + c.Desc + "\x00" + c.ID))
		id = fmt.Sprintf("line-chart-%08x%s", h.Sum32(), id)
	}
	return id
}

func lineEsc(s string) string { return template.HTMLEscapeString(s) }

// lineNum writes a coordinate or value briefly: at most two decimals.
func lineNum(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
