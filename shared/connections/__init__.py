"""Database intelligence (seed 002): users' database connections, their analysis into table insights
embedded for retrieval, NL→SQL chat sessions, and sharing."""
