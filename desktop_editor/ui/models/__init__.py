"""Observable state of the window: documents, their mask history."""
