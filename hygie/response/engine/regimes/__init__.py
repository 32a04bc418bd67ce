"""One module per legal regime; each exports RULES, the obligations it decides."""
