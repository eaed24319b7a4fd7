"""follow"""
