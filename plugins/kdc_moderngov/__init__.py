"""ModernGov import: councillors (GetCouncillorsByWard) from the council's committee system."""
