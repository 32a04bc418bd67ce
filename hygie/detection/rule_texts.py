"""Titles and descriptions of the healthcare rule pack (rules/healthcare), as msgids: the
rule library and alerts show them in the reader's language (French in detection/locale). SigmaHQ's
own rules stay in their words. A test fails when a healthcare rule's text is missing here (copy
the title, and the description with its whitespace folded to single spaces, as RuleInfo does)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

HEALTHCARE_RULE_TEXTS: tuple[str, ...] = (
    gettext_noop("DICOM Association from an AE Title Not in the Allow-List"),
    gettext_noop(
        "A DICOM association was requested (A-ASSOCIATE-RQ) by a calling AE title the site does "
        "not know. PACS often accept any calling AE title; an unknown one is a new device, a "
        "misconfiguration, or someone on the network talking DICOM. The placeholder "
        "%dicom_known_ae_titles% must list the site's AE titles (wildcards allowed); until it is "
        "set, every association alerts."
    ),
    gettext_noop("DICOM Query or Retrieve from an AE Title Not in the Allow-List"),
    gettext_noop("One C-FIND, C-MOVE or C-GET request from an unknown AE title (counted below)."),
    gettext_noop("Patient Record Accessed Outside Working Hours by a Non-Clinical Account"),
    gettext_noop(
        "An account whose role is not a clinical one opened a patient's record outside the site's"
        " working hours. Night and weekend clinical work is normal; an administrative, IT or "
        "billing account reading records at 3 a.m. is not. Needs the parsers' shift table "
        "(event.outside_shift) and the placeholder %ehr_clinical_roles% (the role codes of "
        "clinical staff). Without the placeholder every off-shift access alerts: noisy, never "
        "silent."
    ),
    gettext_noop('Emergency "Break-the-Glass" Access to a Patient Record'),
    gettext_noop(
        'A user opened a patient\'s record invoking emergency access (HL7 v3 ActReason "BTG" '
        'break-the-glass or "ETREAT" emergency treatment), which bypasses the usual care-team '
        "restriction. Each use must be reviewed after the fact; frequent use is a snooping sign."
    ),
    gettext_noop("Bulk Export of Patient Records from the EHR"),
    gettext_noop(
        'An EHR or FHIR server recorded an export (DICOM audit code 110106 "Export", or an '
        'AuditEvent subtype "export"/"$export") that covers at least 50 patients or a whole Group'
        " of patients. Exports of that size are rare in clinical work and are how a phished or "
        "malicious account takes records out in one go."
    ),
    gettext_noop("EHR Patient Record Read"),
    gettext_noop("One read of a patient's record in the EHR (counted by the correlation below)."),
    gettext_noop("FHIR Bulk Data $export Request"),
    gettext_noop(
        'A client called a FHIR Bulk Data "$export" operation (system, Group or Patient level) on'
        " the FHIR server, seen in its web access log. One call exports whole populations; it "
        "should only come from known research or registry clients."
    ),
    gettext_noop("HL7 v2 Message from an Unknown Sending Facility"),
    gettext_noop(
        "An HL7 v2 message arrived whose sending facility (MSH-4) is not one the site exchanges "
        "with. Interface engines usually trust whatever connects; a forged ADT or ORU message can"
        " alter patient records or results. The placeholder %hl7_known_facilities% must list the "
        "known facilities (MSH-4 namespace ids); until it is set, every message alerts."
    ),
    gettext_noop("Failed SSH Login"),
    gettext_noop("One failed SSH login or attempt on an unknown user (counted below)."),
    gettext_noop("Sudo to Root on a Medical Device Gateway"),
    gettext_noop(
        "A user ran a command as root with sudo on a medical-device gateway or biomedical "
        "integration server. These hosts bridge clinical devices (infusion pumps, monitors, "
        "modalities) to the network; root there is rarely needed outside vendor maintenance. The "
        "placeholder %medical_device_gateways% must list their host names (wildcards allowed); "
        "until it is set the rule cannot fire (hygie rules check says so)."
    ),
    gettext_noop("SQL Injection Attempt on the Patient Portal"),
    gettext_noop(
        "A request to a web application (patient portal, appointment booking, results server) "
        "carried SQL injection patterns in its URL, decoded from percent-encoding by the parser. "
        "Portals expose patient data to the internet; a successful injection is a data breach."
    ),
    gettext_noop("Backup or Shadow Copy Deletion"),
    gettext_noop(
        "A command deleted Volume Shadow Copies, the Windows backup catalog or system-state "
        "backups, or disabled boot recovery: what ransomware runs minutes before it encrypts, so "
        "the hospital cannot restore."
    ),
    gettext_noop("Interactive Logon to a Clinical Workstation Outside Shifts"),
    gettext_noop(
        "Someone logged on interactively (at the console, over RDP, or with cached credentials) "
        "to a clinical workstation outside the site's shift table, e.g. a consultation-room PC at"
        " night. Sigma cannot express a weekly rota, so Hygie's normaliser computes "
        "event.outside_shift from the configured shift table; the placeholder "
        "%clinical_workstations% names the workstations (wildcards allowed). Without either, the "
        "rule cannot fire (hygie rules check says so for the placeholder)."
    ),
    gettext_noop("Windows Defender or EDR Disabled from the Command Line"),
    gettext_noop(
        "A command turned off Microsoft Defender protections (Set-MpPreference -Disable…, the "
        "DisableAntiSpyware policy) or stopped or disabled the Defender or Defender for Endpoint "
        "(Sense) services. Clinical workstations should never do this outside IT changes."
    ),
    gettext_noop("Microsoft Defender Protection Turned Off"),
    gettext_noop(
        "Microsoft Defender reported that real-time protection (5001), malware scanning (5010) or"
        " virus scanning (5012) was disabled, whatever the means (GUI, policy, tamper tool)."
    ),
    gettext_noop("User Account Created"),
    gettext_noop("A user account was created (Security 4720; correlated below)."),
    gettext_noop("Member Added to the Local Administrators Group"),
    gettext_noop("A member was added to the built-in Administrators group (Security 4732)."),
    gettext_noop("File Written with a Ransomware Extension"),
    gettext_noop("One file created with an extension ransomware families append (counted below)."),
    gettext_noop("Inbound RDP Connection from a Public Address"),
    gettext_noop(
        "A host accepted a Remote Desktop connection (TCP 3389) from an address outside private, "
        "loopback and link-local ranges. Clinical VLANs should only be reachable through the VPN "
        "or a bastion; exposed RDP is the first way in of many hospital ransomware attacks."
    ),
    gettext_noop("Burst of DICOM Queries or Retrieves from an Unknown AE Title"),
    gettext_noop(
        "An application entity not in the site's allow-list sent 50 or more DICOM query/retrieve "
        "requests (C-FIND, C-MOVE, C-GET) to the PACS within 5 minutes: a scripted harvest of "
        "imaging studies (which carry names, birth dates and identifiers) or a PACS scan. "
        "Configure %dicom_known_ae_titles% with the modalities', viewers' and PACS' AE titles."
    ),
    gettext_noop("One User Opened Many Distinct Patient Records in a Short Time"),
    gettext_noop(
        "A single account read the records of 50 or more distinct patients within 10 minutes. "
        "Clinicians see a handful of patients an hour; this pace is record harvesting by a "
        "compromised account, a script using a stolen token, or curiosity-driven snooping."
    ),
    gettext_noop("SSH Brute Force Against a Linux Server (PACS, EHR, Gateway)"),
    gettext_noop(
        "One source address failed 20 or more SSH logins against one Linux host within 5 minutes."
        " PACS, EHR back-ends, lab and medical-device gateways often run Linux with vendor "
        "accounts and default passwords; a guessing run against them is an intrusion attempt."
    ),
    gettext_noop("New Account Created and Made Local Administrator"),
    gettext_noop(
        "An account was created and added to the local Administrators group within an hour: the "
        "persistence step of most ransomware operators before they spread through the hospital "
        "network."
    ),
    gettext_noop("Mass File Renames with Ransomware Extensions"),
    gettext_noop(
        "One process on one host wrote 20 or more files ending in a known ransomware extension "
        "within a minute: encryption in progress. Sysmon logs the new (encrypted) file as a file "
        "creation (event 11); a rename shows up the same way for encryptors that write a copy."
    ),
)
