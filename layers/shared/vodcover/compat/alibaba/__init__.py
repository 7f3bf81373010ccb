"""Alibaba Cloud VOD compatibility: what an unmodified Alibaba SDK needs from vodcover.

Built so far (docs/alibaba.md): recognising an RPC request (``request``), verifying both of
Alibaba's signing schemes (``signature_v1``, ``signature_acs3``, ``verifier``) with replay
protection (``nonce_store``), answering errors as Alibaba does (``errors``, ``rendering``), and
access keys bound to owners (``keys``, ``key_store``, ``key_management``).
"""
