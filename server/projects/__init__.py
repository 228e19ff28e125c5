"""Projects from proposal to closure: assessment, review, the approval gate, filing, permits."""
