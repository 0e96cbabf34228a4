"""The review page: a small web app for the people in the loop, a client of the public VideoService."""
