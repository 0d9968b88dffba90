"""What the transition bot knows: partners, questions and answers, nudges, and message builders."""
