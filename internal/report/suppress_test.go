package report

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSmall(t *testing.T) {
	for n, want := range map[int]bool{-1: false, 0: false, 1: true, 2: true, 4: true, 5: false, 1000: false} {
		if got := Small(n); got != want {
			t.Errorf("Small(%d) = %v, want %v", n, got, want)
		}
	}
}

func cellsOf(counts ...int) []Cell {
	out := make([]Cell, len(counts))
	for i, n := range counts {
		out[i] = Cell{Path: fmt.Sprintf("g.c%d", i), Count: n}
	}
	return out
}

func TestExposedTotal(t *testing.T) {
	for _, c := range []struct {
		counts []int
		want   bool
	}{
		{[]int{3, 0}, true}, {[]int{1, 1, 1, 1, 1}, true}, {[]int{1, 1, 1, 1, 2}, false},
		{[]int{2, 4, 0}, false}, {[]int{2, 40}, false}, {[]int{0, 0}, false}, {[]int{7, 9}, false},
	} {
		cells := cellsOf(c.counts...)
		ProtectGroup(cells)
		if got := ExposedTotal(cells); got != c.want {
			t.Errorf("ExposedTotal(%v) = %v, want %v", c.counts, got, c.want)
		}
	}
}

func TestProtectGroup(t *testing.T) {
	cases := []struct {
		name   string
		counts []int
		pre    []int // cells already suppressed by another group
		want   []int // cells suppressed afterwards, by index
	}{
		{"nothing small", []int{10, 20, 5}, nil, nil},
		{"zeros are shown", []int{0, 12, 0}, nil, nil},
		{"empty group", nil, nil, nil},
		{"one small cell takes the next smallest with it", []int{3, 50, 7, 20}, nil, []int{0, 2}},
		{"ties go to the earlier cell", []int{30, 6, 2, 6}, nil, []int{1, 2}},
		{"a zero is never the second cell", []int{2, 0, 9}, nil, []int{0, 2}},
		{"two small cells adding up to 5 or more are enough", []int{4, 1, 100}, nil, []int{0, 1}},
		{"two small cells adding to under 5 take a third", []int{1, 1, 100, 8}, nil, []int{0, 1, 3}},
		{"three ones take a fourth", []int{1, 1, 1, 40, 6}, nil, []int{0, 1, 2, 4}},
		{"a lone small cell with nothing beside it stays alone: the total is small", []int{3, 0, 0}, nil, []int{0}},
		{"two small cells with nothing beside them", []int{1, 2, 0}, nil, []int{0, 1}},
		{"a cell hidden by another group counts as hidden", []int{40, 9, 12}, []int{0}, []int{0, 1}},
		{"hidden elsewhere and small here", []int{40, 2, 12}, []int{0}, []int{0, 1}},
		{"five ones add up to their number: each would be 1", []int{1, 1, 1, 1, 1, 50, 7}, nil, []int{0, 1, 2, 3, 4, 6}},
		{"negative counts are not people", []int{-1, 8, 9}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cells := cellsOf(c.counts...)
			for _, i := range c.pre {
				cells[i].Suppressed = true
			}
			paths := ProtectGroup(cells)
			var got []int
			for i, cell := range cells {
				if cell.Suppressed {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("suppressed %v, want %v", got, c.want)
			}
			// The paths returned are the ones newly suppressed, no more.
			for _, p := range paths {
				i := slices.IndexFunc(cells, func(c Cell) bool { return c.Path == p })
				if i < 0 || slices.Contains(c.pre, i) {
					t.Errorf("returned path %q was not suppressed here", p)
				}
			}
			if len(paths) != len(c.want)-len(c.pre) {
				t.Errorf("returned %v for %v newly suppressed", paths, len(c.want)-len(c.pre))
			}
		})
	}
}

// published is what a reader of the report has: each cell's count, or -1
// where it is hidden, and the total (-1 where hidden too).
type published struct {
	cells []int
	total int
}

func publish(cells []Cell, total int) published {
	p := published{total: total}
	if Small(total) || ExposedTotal(cells) {
		p.total = -1
	}
	for _, c := range cells {
		if c.Suppressed {
			p.cells = append(p.cells, -1)
		} else {
			p.cells = append(p.cells, c.Count)
		}
	}
	return p
}

// attack is a reader who knows the rules and tries every value each hidden
// cell could take: a hidden cell is either small (1 to 4) or a second cell,
// which is at least 5 and no bigger than the smallest shown non-zero cell
// (the rule picks the smallest). Every group must add up to its total when
// the total is shown; groups sharing one hidden total must agree on it.
// It returns, for each group and hidden cell, the values it could be.
func attack(groups []published, maxTotal int) [][]map[int]bool {
	possible := make([][]map[int]bool, len(groups))
	for g := range groups {
		possible[g] = make([]map[int]bool, len(groups[g].cells))
		for i := range possible[g] {
			possible[g][i] = map[int]bool{}
		}
	}
	// All groups share one total (they split the same people different
	// ways), shown or not: try each total it could be.
	totals := []int{groups[0].total}
	if groups[0].total < 0 {
		totals = nil
		for n := 1; n <= maxTotal; n++ {
			totals = append(totals, n)
		}
	}
	for _, total := range totals {
		if total > maxTotal {
			continue
		}
		solutions := make([][][]int, len(groups))
		for g, p := range groups {
			ceiling := total
			for _, n := range p.cells {
				if n > 0 && n < ceiling {
					ceiling = n
				}
			}
			var hidden []int
			shown := 0
			for i, n := range p.cells {
				if n < 0 {
					hidden = append(hidden, i)
				} else {
					shown += n
				}
			}
			values := make([]int, len(p.cells))
			var try func(k, left int)
			try = func(k, left int) {
				if k == len(hidden) {
					if left == 0 {
						solutions[g] = append(solutions[g], slices.Clone(values))
					}
					return
				}
				for v := 1; v <= left; v++ {
					// Zeros are shown and never picked as second cells.
					if !Small(v) && v > ceiling {
						break
					}
					values[hidden[k]] = v
					try(k+1, left-v)
				}
			}
			try(0, total-shown)
		}
		// Every group must have a solution for this total to be possible.
		ok := true
		for g := range groups {
			ok = ok && len(solutions[g]) > 0
		}
		if !ok {
			continue
		}
		for g, sols := range solutions {
			for _, s := range sols {
				for i, n := range groups[g].cells {
					if n < 0 {
						possible[g][i][s[i]] = true
					}
				}
			}
		}
	}
	return possible
}

// TestSmallCellsCannotBeRecovered tries to recover small cells by
// differencing: from the total and the other cells of a group, and across
// sibling groups that split the same total different ways (referrals by
// status and by source, say). Every small cell must keep at least two
// values it could be.
func TestSmallCellsCannotBeRecovered(t *testing.T) {
	check := func(t *testing.T, groups [][]int) {
		t.Helper()
		total := 0
		for _, n := range groups[0] {
			total += n
		}
		var pub []published
		var all [][]Cell
		hideTotal := false
		for g, counts := range groups {
			sum := 0
			for _, n := range counts {
				sum += n
			}
			if sum != total {
				t.Fatalf("group %d adds up to %d, not %d", g, sum, total)
			}
			cells := cellsOf(counts...)
			ProtectGroup(cells)
			all = append(all, cells)
			pub = append(pub, publish(cells, total))
			hideTotal = hideTotal || pub[g].total < 0
		}
		// A total hidden by one split is hidden in all of them.
		for g := range pub {
			if hideTotal {
				pub[g].total = -1
			}
		}
		possible := attack(pub, total+4)
		for g, cells := range all {
			for i, c := range cells {
				if !Small(c.Count) {
					continue
				}
				if !c.Suppressed {
					t.Fatalf("group %d cell %d (%d) is shown", g, i, c.Count)
				}
				if !possible[g][i][c.Count] {
					t.Fatalf("group %d cell %d: the attack missed the true value %d (%v)", g, i, c.Count, possible[g][i])
				}
				if len(possible[g][i]) < 2 {
					t.Fatalf("groups %v published as %+v: group %d cell %d recovered as %v", groups, pub, g, i, possible[g][i])
				}
			}
		}
	}
	for _, groups := range [][][]int{
		{{3, 50, 7, 20}},
		{{1, 1, 30}},
		{{2, 2, 0, 9}},
		{{4, 0, 0}},
		{{1, 0, 0}, {0, 1, 0}},
		{{3, 17, 0}, {10, 8, 2}},
		{{1, 5, 5, 9}, {19, 1}},
		{{2, 3, 15}, {18, 2}, {4, 16}},
		{{1, 1, 1, 1, 1}, {1, 4}},
		{{1, 1, 1, 1, 1, 0}},
		{{1, 1, 1, 1, 1, 50}},
	} {
		t.Run(fmt.Sprint(groups), func(t *testing.T) { check(t, groups) })
	}
	// And many made up at random, each split two ways.
	rng := rand.New(rand.NewPCG(6, 5))
	for range 150 {
		a := make([]int, 2+rng.IntN(4))
		for i := range a {
			a[i] = []int{0, 1, 2, 3, 4, 5, 6, 9, 14}[rng.IntN(9)]
		}
		total := 0
		for _, n := range a {
			total += n
		}
		if total == 0 {
			continue
		}
		// The second split: cut the same total into random parts.
		b := make([]int, 2+rng.IntN(3))
		left := total
		for i := range len(b) - 1 {
			b[i] = rng.IntN(left + 1)
			left -= b[i]
		}
		b[len(b)-1] = left
		t.Run(fmt.Sprint(a, b), func(t *testing.T) { check(t, [][]int{a, b}) })
	}
}
