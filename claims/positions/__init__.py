"""Who said what over time: a speaker's earlier claims on a subject, and whether a new claim
contradicts one of them (a changed position)."""
