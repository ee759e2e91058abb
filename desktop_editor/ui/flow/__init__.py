"""What happens between the window and the jobs: generating, loading, notifying."""
