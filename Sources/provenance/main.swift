import ProvenanceKit
print("ok")
