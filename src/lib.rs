//! testrail facade
