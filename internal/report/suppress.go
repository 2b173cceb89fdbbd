package report

// Disclosure control. A count from 1 to 4 of people could point at someone
// ("the one man from that village referred for bereavement"), so reports
// publish it as null and list its path in "suppressed". Zero is published:
// it says nobody, which points at no one. A suppressed cell must also stay
// hidden from anyone who does sums with what is published: within a group
// whose cells add up to a published total, the total minus the shown cells
// gives the sum of the hidden ones, so a group never hides just one cell,
// and the hidden cells together always hold at least MinCount people (else
// their sum, 2 say, would pin two hidden cells at 1 each).

// MinCount is the smallest count of people a report shows.
const MinCount = 5

// A Cell is one count in a report table. Path names it in the JSON (dots).
type Cell struct {
	Path       string
	Count      int
	Suppressed bool
}

// Small reports whether a count must be suppressed on its own (1..4).
func Small(n int) bool { return n >= 1 && n < MinCount }

// ProtectGroup suppresses small counts (1–4) in a group of cells that add
// up to a published total, and a second cell where one suppressed cell
// could be recovered by differencing. It marks cells in place and returns
// the paths suppressed.
//
// After the small cells are hidden, while the group hides exactly one cell,
// or its hidden cells add up to fewer than MinCount, or to no more than
// their number (five hidden cells adding up to 5 are all 1), the smallest shown
// non-zero cell is hidden too (smallest, so the least is lost; ties go to
// the earlier cell, so the choice is repeatable). Cells already marked
// Suppressed (by another group they belong to) count as hidden. When no
// shown non-zero cell is left, the hidden cells are all the group holds and
// the total gives them away: the caller suppresses the total where Small
// or ExposedTotal says so.
func ProtectGroup(cells []Cell) []string {
	var paths []string
	for i := range cells {
		if !cells[i].Suppressed && Small(cells[i].Count) {
			cells[i].Suppressed = true
			paths = append(paths, cells[i].Path)
		}
	}
	for {
		hidden, sum := 0, 0
		for _, c := range cells {
			if c.Suppressed {
				hidden++
				sum += c.Count
			}
		}
		if !exposed(hidden, sum) {
			return paths
		}
		next := -1
		for i, c := range cells {
			if c.Suppressed || c.Count <= 0 {
				continue
			}
			if next < 0 || c.Count < cells[next].Count {
				next = i
			}
		}
		if next < 0 {
			return paths
		}
		cells[next].Suppressed = true
		paths = append(paths, cells[next].Path)
	}
}

// exposed reports whether hidden cells adding up to sum could be worked
// out, or nearly, from the group's total: one alone is its difference, a
// sum under MinCount bounds every one of them below it, and a sum no more
// than their number makes each exactly 1 (hidden cells are never zero,
// zeros being shown).
func exposed(hidden, sum int) bool {
	return hidden > 0 && (hidden < 2 || sum < MinCount || sum <= hidden)
}

// ExposedTotal reports whether a group's total must be suppressed even
// though it is not small, after ProtectGroup: every non-zero cell is hidden
// and the total alone would give them away (five cells of 1 under a total
// of 5). A caller suppresses the total when Small(total) || ExposedTotal.
func ExposedTotal(cells []Cell) bool {
	hidden, sum := 0, 0
	for _, c := range cells {
		if c.Suppressed {
			hidden++
			sum += c.Count
		} else if c.Count > 0 {
			return false
		}
	}
	return exposed(hidden, sum)
}
